package net.itest;

import static org.ops4j.pax.exam.Constants.START_LEVEL_SYSTEM_BUNDLES;
import static org.ops4j.pax.exam.CoreOptions.bundle;
import static org.ops4j.pax.exam.CoreOptions.cleanCaches;
import static org.ops4j.pax.exam.CoreOptions.frameworkProperty;
import static org.ops4j.pax.exam.CoreOptions.junitBundles;
import static org.ops4j.pax.exam.CoreOptions.options;
import static org.ops4j.pax.exam.CoreOptions.systemProperty;
import static org.ops4j.pax.exam.CoreOptions.workingDirectory;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import net.control.NetControl;
import org.ops4j.pax.exam.Option;
import org.osgi.framework.Bundle;
import org.osgi.framework.BundleContext;
import org.osgi.framework.BundleException;

/**
 * The framework every test starts: Felix, or Equinox in the build's {@code equinox} execution (Pax
 * Exam takes the framework on the class path), with the real Patchbay runtime and what it needs, from
 * the jars Maven copied into {@code target/bundles} (property {@code patchbay.itest.bundles}).
 * The driver bundle under test is not among them: the tests install it at run time.
 */
final class Provisioning {

    /** The example driver bundle's symbolic name, artifactId and jar name. */
    static final String UDPWIRE = "net.example.udpwire";

    /** The example QMP command bundle's symbolic name, artifactId and jar name; installed by its test. */
    static final String QMPCOMMAND = "net.example.qmpcommand";

    /** The socket driver bundle, installed by its hot-removal test. */
    static final String SOCKET = "net.backend.socket";

    /** The Linux driver bundles and the capture bundle, installed by their hot-removal test. */
    static final String TAP = "net.backend.tap";
    static final String L2TPV3 = "net.backend.l2tpv3";
    static final String DUMP = "net.backend.dump";

    /** The user netdev's bundle (libslirp through FFM), installed by its hot-removal test. */
    static final String USER = "net.backend.user";

    /** The NIC models' bundle, installed by its hot-deploy test. */
    static final String NIC = "net.nic";

    /** The management front ends' bundle (QMP server, command line). */
    static final String QMP = "net.qmp";

    /** The console commands' bundle (net:, help, quit). */
    static final String CONSOLE_COMMANDS = "net.console";

    /** The log service's bundle: it exports org.osgi.service.log and registers the service. */
    static final String LOG = "org.apache.felix.log";

    /** Started after the runtime by {@link #console()}: the Gogo runtime, its commands, net.qmp and net.console. */
    private static final List<String> CONSOLE = List.of(
            "org.apache.felix.gogo.runtime", "org.apache.felix.gogo.command", QMP, CONSOLE_COMMANDS);

    /** Started with the framework, in dependency order. */
    private static final List<String> STARTED = List.of(
            "org.osgi.util.function", "org.osgi.util.promise", "org.osgi.service.component",
            "org.apache.felix.scr", LOG, "org.apache.felix.configadmin",
            "jackson-annotations", "jackson-core", "jackson-databind",
            "net.posix", "net.api", "net.control", "net.driverkit", "net.log", "net.hub");

    /** Not provisioned: the FileInstall tests install it once they have chosen the watched folder. */
    static final String FILEINSTALL = "org.apache.felix.fileinstall";

    private Provisioning() {
    }

    /** @return the Pax Exam options of a Patchbay framework */
    static Option[] patchbay() {
        return patchbay(true);
    }

    /**
     * @param logService whether the log bundle is started; when not, its API package is there but
     *                   no log service
     * @return the Pax Exam options of a Patchbay framework
     */
    static Option[] patchbay(boolean logService) {
        List<Option> options = new ArrayList<>();
        options.add(junitBundles());
        options.add(cleanCaches());
        options.add(workingDirectory("target/paxexam"));
        // Pax Exam's own bundles log through SLF4J; with pax.exam.logging=none (set by the build) it
        // does not add Pax Logging, whose second org.osgi.service.log export would shadow Felix Log.
        options.add(bundle(url("slf4j-simple")).start(false).startLevel(START_LEVEL_SYSTEM_BUNDLES));
        options.add(bundle(url("slf4j-api")).startLevel(START_LEVEL_SYSTEM_BUNDLES));
        STARTED.forEach(name -> options.add(bundle(url(name)).start(logService || !name.equals(LOG))));
        return options(options.toArray(Option[]::new));
    }

    /**
     * The runtime with its management front ends. Only the tests of the front ends use it, so the
     * runtime's own tests stay free of a QMP server and a console.
     *
     * @return the Pax Exam options of {@link #patchbay()} plus Gogo, net.qmp and net.console
     */
    static Option[] console() {
        List<Option> options = new ArrayList<>(List.of(patchbay()));
        CONSOLE.forEach(name -> options.add(bundle(url(name))));
        return options(options.toArray(Option[]::new));
    }

    /** The HTTP front end's bundle. */
    static final String HTTP = "net.http";

    /** Felix HTTP on Jetty 12, the Servlet Whiteboard the launcher ships. */
    static final String JETTY = "org.apache.felix.http.jetty12";

    /**
     * Installed by {@link #startHttp}: the whiteboard, what it needs, and net.http. Not provisioned:
     * pax-logging-api's SLF4J 2 (Jetty's) would take Pax Exam's own SLF4J 1.7 wiring while the
     * framework resolves its bundles; installed once they are resolved, it serves Jetty only.
     */
    private static final List<String> WHITEBOARD = List.of("org.apache.felix.http.servlet-api", "commons-io",
            "commons-fileupload", "pax-logging-api", JETTY, HTTP);

    /**
     * The runtime with its front ends, and Felix HTTP's settings for {@link #startHttp}: listen on
     * 127.0.0.1 at a free port (the whiteboard runtime's {@code osgi.http.endpoint} names it).
     *
     * @return the Pax Exam options of {@link #console()} plus Felix HTTP's properties
     */
    static Option[] http() {
        List<Option> options = new ArrayList<>(List.of(console()));
        options.add(frameworkProperty("org.apache.felix.http.enable").value("true"));
        options.add(frameworkProperty("org.apache.felix.http.host").value("127.0.0.1"));
        options.add(frameworkProperty("org.osgi.service.http.port").value("0"));
        // Jetty logs through pax-logging-api's fallback to stdout: warnings and errors only, as the launcher's -v.
        options.add(systemProperty("org.ops4j.pax.logging.DefaultServiceLog.level").value("WARN"));
        options.add(systemProperty("org.ops4j.pax.logging.skipJUL").value("true"));
        return options(options.toArray(Option[]::new));
    }

    /**
     * Installs and starts Felix HTTP and net.http, as an operator dropping them in would.
     *
     * @param context the test bundle's context
     */
    static void startHttp(BundleContext context) throws BundleException {
        List<Bundle> installed = new ArrayList<>();
        for (String name : WHITEBOARD) {
            installed.add(context.installBundle(url(name)));
        }
        for (Bundle bundle : installed) {
            if (bundle.getHeaders().get("Fragment-Host") == null) {
                bundle.start();
            }
        }
    }

    /**
     * @param artifactId a provisioned bundle's artifactId
     * @return its jar
     */
    static Path jar(String artifactId) {
        String dir = System.getProperty("patchbay.itest.bundles");
        if (dir == null) {
            throw new IllegalStateException("system property patchbay.itest.bundles is not set (run through Maven)");
        }
        return Path.of(dir, artifactId + ".jar");
    }

    /**
     * @param artifactId a provisioned bundle's artifactId
     * @return the {@code file:} URL of its jar
     */
    static String url(String artifactId) {
        return jar(artifactId).toUri().toString();
    }

    /**
     * Installs and starts the udpwire example driver, as an operator dropping it in would.
     *
     * @return its bundle, once the control service lists its type
     */
    static Bundle startUdpwire(BundleContext context, NetControl control) throws BundleException {
        return startDriver(context, control, UDPWIRE, "udpwire");
    }

    /**
     * Installs and starts a driver bundle, as an operator dropping it in would.
     *
     * @param artifact the bundle's artifactId, e.g. {@link #SOCKET}
     * @param type     a type it provides, e.g. {@code socket}
     * @return its bundle, once the control service lists that type
     */
    static Bundle startDriver(BundleContext context, NetControl control, String artifact, String type)
            throws BundleException {
        Bundle bundle = context.installBundle(url(artifact));
        bundle.start();
        Await.await(type + " in control.drivers()", () -> ControlQueries.driverListed(control, type));
        return bundle;
    }
}
