package net.console;

import java.lang.reflect.Method;
import java.lang.reflect.Parameter;
import java.util.Arrays;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.TreeSet;
import org.apache.felix.service.command.CommandSession;
import org.apache.felix.service.command.Descriptor;
import org.osgi.framework.BundleContext;
import org.osgi.framework.InvalidSyntaxException;
import org.osgi.framework.ServiceReference;
import org.osgi.service.component.annotations.Activate;
import org.osgi.service.component.annotations.Component;

/**
 * The console's {@code help}, as HMP's: one line per command. Patchbay's own groups ({@code net},
 * {@code patchbay}) are listed in full, the framework's and the shell's by name only, each listed
 * by {@code help GROUP}; {@code help COMMAND} explains one command as Gogo's help does. The
 * launcher's console profile puts the {@code patchbay} scope first, so {@code help} is this one.
 */
@Component(service = HelpCommand.class, property = {
        "osgi.command.scope=patchbay",
        "osgi.command.function=help"})
public class HelpCommand {

    /** Listed in full by {@code help}, in this order. */
    private static final List<String> OWN = List.of("net", "patchbay");
    private static final String SCOPE = "osgi.command.scope";
    private static final String FUNCTION = "osgi.command.function";
    /** Gogo's hook for a name it does not know ({@link UnknownCommand}). */
    private static final String UNKNOWN = "default";

    private final BundleContext context;

    /** @param context this bundle's context, to find the command services with */
    @Activate
    public HelpCommand(BundleContext context) {
        this.context = context;
    }

    /** @return every group, Patchbay's own with a line per command */
    @Descriptor("list the commands, one line each; help GROUP lists a group, help COMMAND explains one")
    public String help() {
        Map<String, Map<String, String>> groups = groups();
        StringBuilder out = new StringBuilder();
        for (String scope : OWN) {
            if (groups.containsKey(scope)) {
                out.append(listing(scope, groups.get(scope)));
            }
        }
        List<String> others = groups.keySet().stream().filter(s -> !OWN.contains(s)).toList();
        if (!others.isEmpty()) {
            out.append("more groups (help GROUP lists one): ").append(String.join(", ", others)).append('\n');
        }
        return out.toString().stripTrailing();
    }

    /**
     * @param session the console's session, for Gogo's own help of one command
     * @param topic   a group or a command
     * @return the group's commands one line each, or null once Gogo printed the command's help
     * @throws Exception when Gogo's help fails
     */
    @Descriptor("list a group's commands, one line each, or explain one command")
    public String help(CommandSession session, @Descriptor("a group (net, felix...) or a command (net:add)") String topic)
            throws Exception {
        Map<String, String> group = groups().get(topic);
        if (group != null) {
            return listing(topic, group).stripTrailing();
        }
        String own = explain(topic);
        if (own != null) {
            return own;
        }
        session.execute("gogo:help " + topic);
        return null;
    }

    /**
     * @param words more than one topic
     * @return HMP's words for them, instead of Gogo's exception
     */
    public String help(Object... words) {
        return NetCommands.extraneous("help");
    }

    /**
     * Gogo's layout of one command's help, for Patchbay's own commands, with only the described
     * methods: the others take the place of missing arguments ({@link NetCommands#missing}).
     *
     * @return the help, or null when the topic is none of Patchbay's commands
     */
    private String explain(String topic) {
        int colon = topic.indexOf(':');
        String name = topic.substring(colon + 1);
        StringBuilder out = new StringBuilder();
        for (String scope : OWN) {
            if (colon >= 0 && !topic.substring(0, colon).equals(scope)) {
                continue;
            }
            for (ServiceReference<?> ref : references("(&(" + SCOPE + "=" + scope + ")(" + FUNCTION + "=" + name + "))")) {
                Object service = context.getService(ref);
                if (service == null) {
                    continue;
                }
                try {
                    out.append(explain(service.getClass(), name, scope));
                } finally {
                    context.ungetService(ref);
                }
            }
        }
        return out.isEmpty() ? null : out.toString().stripTrailing();
    }

    /**
     * @param type     a command service's class
     * @param function the command's name
     * @param scope    its scope
     * @return Gogo's layout of its help, each described method in turn; empty when none is
     */
    static String explain(Class<?> type, String function, String scope) {
        StringBuilder out = new StringBuilder();
        described(type, function).forEach(m -> out.append(explain(m, scope)));
        return out.toString();
    }

    private static String explain(Method method, String scope) {
        StringBuilder out = new StringBuilder("\n").append(method.getName()).append(" - ")
                .append(method.getAnnotation(Descriptor.class).value()).append("\n   scope: ").append(scope).append('\n');
        StringBuilder parameters = new StringBuilder();
        for (Parameter p : method.getParameters()) {
            Descriptor d = p.getAnnotation(Descriptor.class);
            if (p.getType() != CommandSession.class) {
                parameters.append("      ").append(p.getType().getSimpleName()).append("   ")
                        .append(d == null ? "" : d.value()).append('\n');
            }
        }
        return parameters.isEmpty() ? out.toString() : out.append("   parameters:\n").append(parameters).toString();
    }

    /** Patchbay's own commands are typed without their scope; the others are shown with it. */
    private static String listing(String scope, Map<String, String> commands) {
        String prefix = scope.equals("patchbay") ? "" : scope + ":";
        int width = commands.keySet().stream().mapToInt(String::length).max().orElse(0) + prefix.length();
        StringBuilder out = new StringBuilder(scope).append(":\n");
        commands.forEach((name, line) -> out.append(String.format("  %-" + width + "s  %s%n", prefix + name, line)));
        return out.toString();
    }

    /** @return per scope, per command, its description's first line */
    private Map<String, Map<String, String>> groups() {
        Map<String, Map<String, String>> groups = new TreeMap<>();
        for (ServiceReference<?> ref : references("(" + SCOPE + "=*)")) {
            String scope = String.valueOf(ref.getProperty(SCOPE));
            Map<String, String> group = groups.computeIfAbsent(scope, s -> new TreeMap<>());
            Object service = context.getService(ref);
            try {
                for (String function : functions(ref.getProperty(FUNCTION))) {
                    if (function.startsWith("_") || function.equals(UNKNOWN)) {
                        continue; // the shell's helpers and hooks, no commands to type
                    }
                    group.put(function, service == null ? "" : description(service.getClass(), function));
                }
            } finally {
                if (service != null) {
                    context.ungetService(ref);
                }
            }
        }
        return groups;
    }

    private ServiceReference<?>[] references(String filter) {
        try {
            ServiceReference<?>[] refs = context.getAllServiceReferences(null, filter);
            return refs == null ? new ServiceReference<?>[0] : refs;
        } catch (InvalidSyntaxException e) {
            throw new IllegalArgumentException(e.getMessage(), e);
        }
    }

    private static List<String> functions(Object property) {
        List<String> functions = new ArrayList<>();
        if (property instanceof String[] names) {
            functions.addAll(List.of(names));
        } else if (property instanceof String name) {
            functions.add(name);
        }
        return new ArrayList<>(new TreeSet<>(functions));
    }

    /**
     * The description of the first described method of that name, shortest parameter list first,
     * up to an example or a list after {@code ": "}.
     */
    private static String description(Class<?> type, String function) {
        return described(type, function).stream()
                .map(m -> m.getAnnotation(Descriptor.class).value().lines().findFirst().orElse("").split(": ", 2)[0])
                .findFirst().orElse("");
    }

    /** The methods Gogo calls for the function that have a description, fewest parameters first. */
    private static List<Method> described(Class<?> type, String function) {
        return Arrays.stream(type.getMethods())
                .filter(m -> m.getName().equalsIgnoreCase(function) || m.getName().equalsIgnoreCase("_" + function))
                .filter(m -> m.getAnnotation(Descriptor.class) != null)
                .sorted(Comparator.comparingInt(Method::getParameterCount))
                .toList();
    }
}
