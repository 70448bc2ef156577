package launcher;

import static org.junit.jupiter.api.Assertions.assertEquals;

import org.junit.jupiter.api.Test;

class ConsoleTest {

    @Test
    void theProfileLosesTheClockAndSystemsCommandsAndGainsPatchbaysLines() {
        String bundles = """
                try {
                  SCOPE = 'gogo:*'
                  addcommand context ${.context}
                  addcommand system (((${.context} getClass) getClassLoader) loadClass java.lang.System)
                  prompt = 'g! '
                  \\#rprompt = { (new java.text.SimpleDateFormat \\'$'\\u001B\\\\[90m'\\'HH:mm:ss) format (new Date) }
                } {
                    echo "$0: ERROR: $exception"
                }
                """;
        assertEquals("""
                try {
                  SCOPE = 'gogo:*'
                  addcommand context ${.context}
                  prompt = 'g! '
                } {
                    echo "$0: ERROR: $exception"
                }
                """ + Console.PATCHBAY_LINES, Console.patchbayProfile(bundles));
    }
}
