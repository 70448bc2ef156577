package net.qmp.console;

import java.net.URI;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collection;
import java.util.Collections;
import java.util.Enumeration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.osgi.framework.Bundle;
import org.osgi.framework.BundleContext;
import org.osgi.framework.Constants;
import org.osgi.framework.namespace.BundleNamespace;
import org.osgi.framework.namespace.ExecutionEnvironmentNamespace;
import org.osgi.framework.namespace.PackageNamespace;
import org.osgi.framework.wiring.BundleCapability;
import org.osgi.framework.wiring.BundleRevision;
import org.osgi.framework.wiring.FrameworkWiring;
import org.osgi.resource.Namespace;
import org.osgi.resource.Requirement;
import org.osgi.service.component.annotations.Activate;
import org.osgi.service.component.annotations.Component;
import org.osgi.service.component.annotations.Deactivate;
import org.osgi.service.component.annotations.Reference;
import org.osgi.service.log.LogEntry;
import org.osgi.service.log.LogLevel;
import org.osgi.service.log.LogListener;
import org.osgi.service.log.LogReaderService;
import org.osgi.service.log.Logger;
import org.osgi.service.log.LoggerFactory;

/**
 * Says in one line why a jar in the deploy folder does not run, when it is because it cannot be
 * resolved: {@code deploy/foo.jar: cannot resolve: missing package net.api [3.0.0,4.0.0)}.
 * FileInstall only warns that it could not start the bundle, with the framework's resolver dump;
 * this reads what the bundle requires and what the framework offers, and names what is missing.
 *
 * <p>It watches FileInstall's log records: when FileInstall fails to start a bundle that is still
 * unresolved, the explanation is logged as a warning of this bundle (stderr shows it; {@link
 * StderrLog} hides FileInstall's own record of a resolve failure below DEBUG). The same line is not
 * repeated while the bundle and the reason stay the same.
 */
@Component(service = {}, immediate = true)
public class DeployProblems implements LogListener {

    /** What FileInstall's record of a bundle it could not start begins with; the location follows. */
    static final String START_FAILED = "Error while starting bundle: ";

    private static final String FILEINSTALL = "org.apache.felix.fileinstall";

    private final BundleContext context;
    private final LogReaderService reader;
    private final Logger log;
    /** Per bundle id, the last explanation logged, so FileInstall's retries do not repeat it. */
    private final Map<Long, String> reported = new ConcurrentHashMap<>();

    /**
     * @param context this bundle's context
     * @param reader  the log service's reader
     * @param logs    where the explanation goes
     */
    @Activate
    public DeployProblems(BundleContext context, @Reference LogReaderService reader, @Reference LoggerFactory logs) {
        this.context = context;
        this.reader = reader;
        this.log = logs.getLogger(DeployProblems.class);
        // FileInstall may have failed before this component started: look at the records so far.
        List<LogEntry> backlog = new ArrayList<>();
        for (Enumeration<LogEntry> e = reader.getLog(); e.hasMoreElements();) {
            backlog.add(e.nextElement());
        }
        Collections.reverse(backlog);
        backlog.forEach(this::logged);
        reader.addLogListener(this);
    }

    @Deactivate
    void deactivate() {
        reader.removeLogListener(this);
    }

    /**
     * @param entry a log record
     * @return whether it is FileInstall's record of a bundle it could not start because the
     *         bundle does not resolve
     */
    static boolean isResolveFailure(LogEntry entry) {
        Bundle from = entry.getBundle();
        String message = entry.getMessage();
        Throwable t = entry.getException();
        return from != null && FILEINSTALL.equals(from.getSymbolicName())
                && message != null && message.startsWith(START_FAILED)
                && t != null && String.valueOf(t.getMessage()).contains("Unable to resolve");
    }

    @Override
    public void logged(LogEntry entry) {
        if (!isResolveFailure(entry)) {
            return;
        }
        String location = entry.getMessage().substring(START_FAILED.length()).trim();
        Bundle bundle = context.getBundle(location);
        if (bundle == null || bundle.getState() != Bundle.INSTALLED) {
            return; // gone, or resolved since
        }
        String reason = reason(bundle);
        if (reason == null) {
            reason = resolverMessage(entry.getException());
        }
        String line = displayName(location) + ": cannot resolve: " + reason;
        if (!line.equals(reported.put(bundle.getBundleId(), line))) {
            log.warn(line.replace("{}", "\\{}"));
        }
    }

    /**
     * @return what the bundle requires and nothing in the framework provides, or null when each
     *         requirement has a provider (a conflict only the resolver can explain)
     */
    private String reason(Bundle bundle) {
        BundleRevision revision = bundle.adapt(BundleRevision.class);
        FrameworkWiring wiring = context.getBundle(Constants.SYSTEM_BUNDLE_LOCATION).adapt(FrameworkWiring.class);
        if (revision == null || wiring == null) {
            return null;
        }
        List<String> missing = new ArrayList<>();
        List<String> stuck = new ArrayList<>();
        for (Requirement requirement : revision.getRequirements(null)) {
            if (!mandatory(requirement)) {
                continue;
            }
            Collection<BundleCapability> providers = wiring.findProviders(requirement);
            if (providers.isEmpty()) {
                missing.add("missing " + describe(requirement));
            } else if (providers.stream().allMatch(c -> c.getRevision().getBundle().getState() == Bundle.INSTALLED
                    && c.getRevision().getBundle() != bundle)) {
                Bundle provider = providers.iterator().next().getRevision().getBundle();
                stuck.add("needs " + describe(requirement) + " from " + displayName(provider.getLocation())
                        + ", which cannot resolve");
            }
        }
        missing.addAll(stuck);
        return missing.isEmpty() ? null : String.join(", ", missing);
    }

    /** Requirements the resolver must satisfy: not optional, not dynamic, effective at resolve time. */
    private static boolean mandatory(Requirement requirement) {
        Map<String, String> directives = requirement.getDirectives();
        String resolution = directives.get(Namespace.REQUIREMENT_RESOLUTION_DIRECTIVE);
        String effective = directives.get(Namespace.REQUIREMENT_EFFECTIVE_DIRECTIVE);
        return !Namespace.RESOLUTION_OPTIONAL.equals(resolution)
                && !PackageNamespace.RESOLUTION_DYNAMIC.equals(resolution)
                && (effective == null || Namespace.EFFECTIVE_RESOLVE.equals(effective));
    }

    /**
     * @param requirement a requirement
     * @return it in words: {@code package net.api [3.0.0,4.0.0)}, {@code bundle foo 1.2.0},
     *         {@code Java SE 26}, else its namespace and filter
     */
    static String describe(Requirement requirement) {
        String namespace = requirement.getNamespace();
        String filter = requirement.getDirectives().getOrDefault(Namespace.REQUIREMENT_FILTER_DIRECTIVE, "");
        String subject = find(filter, "(?<!!)\\(" + Pattern.quote(namespace) + "=([^)]*)\\)");
        if (subject == null) {
            return namespace + " " + filter;
        }
        return switch (namespace) {
            case PackageNamespace.PACKAGE_NAMESPACE -> "package " + subject
                    + range(filter, PackageNamespace.CAPABILITY_VERSION_ATTRIBUTE);
            case BundleNamespace.BUNDLE_NAMESPACE -> "bundle " + subject
                    + range(filter, BundleNamespace.CAPABILITY_BUNDLE_VERSION_ATTRIBUTE);
            case ExecutionEnvironmentNamespace.EXECUTION_ENVIRONMENT_NAMESPACE ->
                    ("JavaSE".equals(subject) ? "Java SE" : subject)
                            + range(filter, ExecutionEnvironmentNamespace.CAPABILITY_VERSION_ATTRIBUTE);
            default -> namespace + " " + filter;
        };
    }

    /**
     * Reads a version range back from the filter bnd and the framework write for it:
     * {@code (version>=3.0.0)(!(version>=4.0.0))} is {@code [3.0.0,4.0.0)}.
     *
     * @return {@code " " + range}, or nothing when the filter names no version
     */
    static String range(String filter, String attribute) {
        String a = Pattern.quote(attribute);
        String exact = find(filter, "(?<!!)\\(" + a + "=([^)]*)\\)");
        if (exact != null) {
            return " " + exact;
        }
        String floor = find(filter, "(?<!!)\\(" + a + ">=([^)]*)\\)");
        String floorExclusive = find(filter, "\\(!\\(" + a + "<=([^)]*)\\)\\)");
        String ceiling = find(filter, "(?<!!)\\(" + a + "<=([^)]*)\\)");
        String ceilingExclusive = find(filter, "\\(!\\(" + a + ">=([^)]*)\\)\\)");
        String low = floor != null ? "[" + floor : floorExclusive != null ? "(" + floorExclusive : null;
        String high = ceilingExclusive != null ? ceilingExclusive + ")" : ceiling != null ? ceiling + "]" : null;
        if (high == null) {
            return floor != null ? " " + floor : floorExclusive != null ? " >" + floorExclusive : "";
        }
        return " " + (low == null ? "[0.0.0" : low) + "," + high;
    }

    private static String find(String text, String regex) {
        Matcher m = Pattern.compile(regex).matcher(text);
        return m.find() ? m.group(1) : null;
    }

    /** The framework's own words, without the class name and its list of the same requirements again. */
    private static String resolverMessage(Throwable t) {
        String message = String.valueOf(t.getMessage()).replaceFirst("^org\\.osgi\\.framework\\.BundleException: ", "");
        int unresolved = message.indexOf(" Unresolved requirements:");
        return unresolved < 0 ? message : message.substring(0, unresolved);
    }

    /**
     * @param location a bundle location, e.g. {@code file:/home/me/patchbay/deploy/foo.jar}
     * @return the file relative to the working directory when it is below it ({@code deploy/foo.jar}),
     *         else the file's absolute path, else the location as is
     */
    static String displayName(String location) {
        try {
            Path file = Path.of(URI.create(location));
            Path cwd = Path.of("").toAbsolutePath();
            return file.startsWith(cwd) ? cwd.relativize(file).toString() : file.toString();
        } catch (IllegalArgumentException | java.nio.file.FileSystemNotFoundException e) {
            return location;
        }
    }
}
