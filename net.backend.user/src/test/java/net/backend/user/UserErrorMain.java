package net.backend.user;

import net.testkit.TestRuntime;

/** Prints the error of {@code -netdev user} with the options given, as a runtime in another process sees it. */
public final class UserErrorMain {

    private UserErrorMain() {
    }

    public static void main(String[] args) {
        try (TestRuntime fx = new TestRuntime(1).netdevType("user", new UserDriver())) {
            System.out.println("error: " + fx.error("user," + args[0]));
        }
    }
}
