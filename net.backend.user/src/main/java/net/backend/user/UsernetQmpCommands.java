package net.backend.user;

import net.api.NetException;
import net.control.NetControl;
import net.control.qmp.QmpCommand;
import org.osgi.service.component.annotations.Activate;
import org.osgi.service.component.annotations.Component;
import org.osgi.service.component.annotations.Reference;

/**
 * QMP extension commands behind HMP's {@code info usernet}, {@code hostfwd_add} and
 * {@code hostfwd_remove} (QEMU has them in HMP only): each returns the text the monitor prints.
 */
final class UsernetQmpCommands {

    private UsernetQmpCommands() {
    }

    /** {@code x-query-usernet}: the text of {@code info usernet}. */
    @Component(service = QmpCommand.class, property = QmpCommand.NAME + "=" + Info.NAME)
    public static final class Info implements QmpCommand<NoArguments> {
        static final String NAME = "x-query-usernet";
        private final UsernetCommands commands;

        @Activate
        public Info(@Reference NetControl control, @Reference UserNetdevs netdevs) {
            this.commands = new UsernetCommands(control, netdevs);
        }

        @Override
        public Class<NoArguments> argumentsType() {
            return NoArguments.class;
        }

        @Override
        public Object execute(NoArguments arguments) throws NetException {
            return commands.info();
        }
    }

    /** What {@code x-hostfwd-add} and {@code x-hostfwd-remove} share: HMP's arguments, a rule and its netdev. */
    abstract static class HostfwdCommand implements QmpCommand<HostfwdArguments> {
        final UsernetCommands commands;

        HostfwdCommand(NetControl control, UserNetdevs netdevs) {
            this.commands = new UsernetCommands(control, netdevs);
        }

        @Override
        public final Class<HostfwdArguments> argumentsType() {
            return HostfwdArguments.class;
        }
    }

    /** {@code x-hostfwd-add}: the text of {@code hostfwd_add}. */
    @Component(service = QmpCommand.class, property = QmpCommand.NAME + "=" + Add.NAME)
    public static final class Add extends HostfwdCommand {
        static final String NAME = "x-hostfwd-add";

        @Activate
        public Add(@Reference NetControl control, @Reference UserNetdevs netdevs) {
            super(control, netdevs);
        }

        @Override
        public Object execute(HostfwdArguments arguments) throws NetException {
            return commands.add(arguments.netdev(), arguments.rule());
        }
    }

    /** {@code x-hostfwd-remove}: the text of {@code hostfwd_remove}. */
    @Component(service = QmpCommand.class, property = QmpCommand.NAME + "=" + Remove.NAME)
    public static final class Remove extends HostfwdCommand {
        static final String NAME = "x-hostfwd-remove";

        @Activate
        public Remove(@Reference NetControl control, @Reference UserNetdevs netdevs) {
            super(control, netdevs);
        }

        @Override
        public Object execute(HostfwdArguments arguments) throws NetException {
            return commands.remove(arguments.netdev(), arguments.rule());
        }
    }
}
