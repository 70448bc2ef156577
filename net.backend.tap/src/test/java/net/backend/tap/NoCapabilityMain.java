package net.backend.tap;

/** Run by {@link TapOptionErrorsTest} in a process without capabilities: prints the driver's error. */
public final class NoCapabilityMain {

    private NoCapabilityMain() {
    }

    public static void main(String[] args) {
        try (Fixture fx = new Fixture()) {
            System.out.println("error: " + fx.error("tap,id=t0,ifname=" + args[0] + ",script=no,downscript=no"));
        } catch (AssertionError e) {
            System.out.println("accepted: " + e.getMessage());
        }
    }
}
