package net.chardev.socket;

import java.util.List;
import net.api.NetException;
import net.control.qmp.QmpCommand;
import org.osgi.service.component.annotations.Activate;
import org.osgi.service.component.annotations.Component;
import org.osgi.service.component.annotations.Reference;

/** QMP's chardev commands, contributed as {@link QmpCommand} services so the QMP server needs no change. */
public final class ChardevCommands {

    private ChardevCommands() {
    }

    /** {@code chardev-add}: returns {@code {}} for a socket (QEMU returns {@code pty} only for ptys). */
    @Component(service = QmpCommand.class, property = QmpCommand.NAME + "=chardev-add")
    public static final class Add implements QmpCommand<ChardevAddArguments> {
        private final ChardevRegistry registry;

        @Activate
        public Add(@Reference ChardevRegistry registry) {
            this.registry = registry;
        }

        @Override
        public Class<ChardevAddArguments> argumentsType() {
            return ChardevAddArguments.class;
        }

        @Override
        public Object execute(ChardevAddArguments arguments) throws NetException {
            registry.add(arguments.id(), arguments.backend());
            return null;
        }
    }

    /** {@code chardev-remove}. */
    @Component(service = QmpCommand.class, property = QmpCommand.NAME + "=chardev-remove")
    public static final class Remove implements QmpCommand<ChardevIdArguments> {
        private final ChardevRegistry registry;

        @Activate
        public Remove(@Reference ChardevRegistry registry) {
            this.registry = registry;
        }

        @Override
        public Class<ChardevIdArguments> argumentsType() {
            return ChardevIdArguments.class;
        }

        @Override
        public Object execute(ChardevIdArguments arguments) throws NetException {
            registry.remove(arguments.id());
            return null;
        }
    }

    /** {@code query-chardev}. */
    @Component(service = QmpCommand.class, property = QmpCommand.NAME + "=query-chardev")
    public static final class Query implements QmpCommand<NoArguments> {
        private final ChardevRegistry registry;

        @Activate
        public Query(@Reference ChardevRegistry registry) {
            this.registry = registry;
        }

        @Override
        public Class<NoArguments> argumentsType() {
            return NoArguments.class;
        }

        @Override
        public List<ChardevInfo> execute(NoArguments arguments) {
            return registry.list();
        }
    }
}
