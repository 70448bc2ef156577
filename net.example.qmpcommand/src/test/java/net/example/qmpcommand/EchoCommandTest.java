package net.example.qmpcommand;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import net.api.ErrorClass;
import net.api.NetException;
import org.junit.jupiter.api.Test;

class EchoCommandTest {

    private final EchoCommand command = new EchoCommand();

    @Test
    void returnsItsArguments() throws NetException {
        assertEquals(EchoArguments.class, command.argumentsType());
        assertEquals(new EchoArguments("hello"), command.execute(new EchoArguments("hello")));
    }

    @Test
    void anEmptyTextIsAGenericError() {
        NetException e = assertThrows(NetException.class, () -> command.execute(new EchoArguments("")));
        assertEquals(ErrorClass.GenericError, e.errorClass());
        assertEquals("Parameter 'text' must not be empty", e.getMessage());
    }
}
