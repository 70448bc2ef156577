package net.console;

import com.fasterxml.jackson.databind.BeanDescription;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.introspect.BeanPropertyDefinition;
import java.lang.reflect.Constructor;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.TreeSet;
import net.control.NetControl;
import net.control.Section;
import net.control.dto.NetClientDTO;
import org.osgi.service.component.annotations.Activate;
import org.osgi.service.component.annotations.Component;
import org.osgi.service.component.annotations.Reference;

/**
 * Completion for the {@code net:} commands at the console: netdev types and option names for
 * {@code net:add}, netdev and NIC names for the commands that take one. The launcher's console
 * profile binds them with Gogo's {@code complete}; they are hidden from {@code help} (a leading
 * {@code _}). The candidates are JLine's, made reflectively through the class loader of the line
 * being completed, so that this bundle needs no JLine: an option name ends with {@code =} and is
 * not followed by a blank, as its value comes right after it.
 */
@Component(service = NetCompletion.class, property = {
        "osgi.command.scope=net",
        "osgi.command.function=__names",
        "osgi.command.function=__addwords"})
public class NetCompletion {

    private static final String CANDIDATE = "org.jline.reader.Candidate";
    private static final String PARSED_LINE = "org.jline.reader.ParsedLine";
    private static final ObjectMapper MAPPER = new ObjectMapper();

    private final NetControl control;

    /** @param control the runtime's control service */
    @Activate
    public NetCompletion(@Reference NetControl control) {
        this.control = control;
    }

    /** @return the names of the netdevs and NICs */
    public List<String> __names() {
        return control.network().clients().stream().map(NetClientDTO::name).toList();
    }

    /**
     * @param line the line being completed, JLine's {@code ParsedLine}
     * @return the types for the first word, else the options of the type the first word names
     *         that the line does not have yet
     * @throws ReflectiveOperationException when the line is not JLine's
     */
    public List<Object> __addwords(Object line) throws ReflectiveOperationException {
        ClassLoader loader = line.getClass().getClassLoader();
        Class<?> parsed = Class.forName(PARSED_LINE, false, loader);
        List<?> words = (List<?>) parsed.getMethod("words").invoke(line);
        int index = (Integer) parsed.getMethod("wordIndex").invoke(line);
        Constructor<?> candidate = Class.forName(CANDIDATE, false, loader).getConstructor(String.class, String.class,
                String.class, String.class, String.class, String.class, boolean.class);
        List<Object> candidates = new ArrayList<>();
        for (String word : addWords(words.stream().map(String::valueOf).toList(), index)) {
            candidates.add(candidate.newInstance(word, word, null, null, null, null, !word.endsWith("=")));
        }
        return candidates;
    }

    /**
     * @param words the words of the line, {@code net:add} first
     * @param index the word being completed
     * @return the candidates
     */
    List<String> addWords(List<String> words, int index) {
        if (index <= 1) {
            return List.copyOf(control.optionTypes(Section.NETDEV).keySet());
        }
        String type = words.get(1).split(",", 2)[0];
        Class<?> options = control.optionTypes(Section.NETDEV).get(type);
        Set<String> names = new TreeSet<>(optionNames(options));
        names.add("id");
        for (int i = 1; i < words.size(); i++) {
            if (i != index) {
                for (String option : words.get(i).split(",")) {
                    names.remove(option.split("=", 2)[0]);
                }
            }
        }
        return names.stream().map(name -> name + "=").toList();
    }

    /** The option names of an option record, as Jackson binds them. */
    static List<String> optionNames(Class<?> options) {
        if (options == null) {
            return List.of();
        }
        BeanDescription description = MAPPER.getDeserializationConfig().introspect(MAPPER.constructType(options));
        return description.findProperties().stream().map(BeanPropertyDefinition::getName).toList();
    }
}
