package net.console;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.io.InterruptedIOException;
import org.junit.jupiter.api.Test;

class ShellErrorsTest {

    @Test
    void aCallThatFitsNoMethodIsHmpsInvalidArguments() {
        assertEquals("lb: invalid arguments\nTry \"help lb\" for more information", ShellErrors.words(
                new IllegalArgumentException("Cannot coerce lb(Token, Token) to any of [(boolean, boolean, boolean)]")));
    }

    @Test
    void ctrlCIsOneLine() {
        assertEquals("Error: interrupted", ShellErrors.words(new InterruptedException()));
        assertEquals("Error: interrupted", ShellErrors.words(new InterruptedIOException()));
    }

    @Test
    void anUnknownCommandIsHmpsLine() {
        assertEquals("unknown command: 'tac'", ShellErrors.words(new IllegalStateException("Command not found: tac")));
    }

    @Test
    void anyOtherFailureIsItsMessageWithoutTheExceptionsName() {
        assertEquals("Error: no such file or directory", ShellErrors.words(new java.io.IOException("no such file or directory")));
        assertEquals("Error: the command failed", ShellErrors.words(new IllegalStateException()));
    }
}
