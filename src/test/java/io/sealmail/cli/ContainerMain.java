package io.sealmail.cli;

import io.sealmail.config.ConfigException;
import io.sealmail.config.EngineConfig;
import io.sealmail.config.EngineConfigYaml;
import io.sealmail.config.Listener;
import io.sealmail.config.TlsFiles;
import io.sealmail.engine.MailEngine;
import io.sealmail.http.HealthServer;
import jakarta.enterprise.inject.Vetoed;
import picocli.CommandLine;
import picocli.CommandLine.Command;

import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;
import java.util.Optional;

/**
 * Runs a pod's container command line in a child JVM the way a container runtime would run it, for the end-to-end
 * test: {@code ContainerMain ROOT sealmail engine --config /etc/sealmail/engine.yaml}.
 *
 * <p>Two things a container gives the engine and a test machine cannot: its own file system and its own network.
 * So every absolute path the engine opens (the {@code --config} file and the paths inside it) is looked up under
 * ROOT, where the test laid out the pod's volumes like a kubelet, and every listener binds an ephemeral port on
 * 127.0.0.1 instead of its container port. Each mapping is printed as {@code container-port PORT HOST:PORT}
 * (the way a runtime publishes ports), then {@code container-ready}. Everything else is the real command: the
 * image's top command, picocli parsing, {@link EngineCommand}, the engine and its file reloads.
 */
public final class ContainerMain {
    public static final String PORT_LINE = "container-port ";
    public static final String READY_LINE = "container-ready";
    /** The image's entrypoint name (image/root/usr/local/bin/sealmail): the only command this stand-in runs. */
    static final String IMAGE_COMMAND = "sealmail";

    private ContainerMain() {
    }

    public static void main(String[] args) {
        if (args.length < 2 || !args[1].equals(IMAGE_COMMAND)) {
            System.err.println("usage: ContainerMain ROOT sealmail ARGS... (got " + Arrays.toString(args) + ")");
            System.exit(127);
        }
        Path root = Path.of(args[0]);
        CommandLine.IFactory images = new CommandLine.IFactory() {
            @Override
            public <K> K create(Class<K> cls) throws Exception {
                return cls == EngineCommand.class ? cls.cast(new RootedEngineCommand(root))
                        : CommandLine.defaultFactory().create(cls);
            }
        };
        CommandLine line = CommandLineCustomizer.configure(new CommandLine(new SealmailCommand(), images));
        System.exit(line.execute(Arrays.copyOfRange(args, 2, args.length)));
    }

    /** {@code sealmail engine} seeing ROOT as its file system and loopback ephemeral ports as its network. */
    @Command(name = "engine")
    @Vetoed // not a CDI bean: Quarkus's picocli extension would otherwise try to make one of this test class
    static final class RootedEngineCommand extends EngineCommand {
        private final Path root;
        private EngineConfig asWritten;

        RootedEngineCommand(Path root) {
            this.root = root;
        }

        private String under(String path) {
            if (!path.startsWith("/")) {
                throw new ConfigException("the pod's paths are absolute; got " + path);
            }
            return root.resolve(path.substring(1)).toString();
        }

        @Override
        EngineConfig readConfig() {
            asWritten = EngineConfigYaml.read(Path.of(under(config.toString())));
            EngineConfig c = asWritten;
            List<Listener> listeners = c.listeners().stream().map(l -> new Listener(l.role(), "127.0.0.1", 0)).toList();
            return new EngineConfig(c.hostname(), c.domains(), listeners,
                    new TlsFiles(under(c.tls().certFile()), under(c.tls().keyFile())), under(c.accountsFile()),
                    c.aliases(), under(c.dataDir()), c.limits(), "127.0.0.1", c.httpPort() < 0 ? -1 : 0)
                    // Everything else the operator wrote stays as written, with its files found under the root.
                    .withMailAuth(c.dkim().stream().map(k -> new io.sealmail.config.DkimKey(k.domain(), k.selector(),
                            k.algorithm(), under(k.keyFile()))).toList(), c.inbound())
                    .withOutbound(c.outbound());
        }

        @Override
        void ready(MailEngine engine, Optional<HealthServer> health) {
            super.ready(engine, health);
            // Listeners bind in configuration order, so the i-th bound address belongs to the i-th container port.
            for (int i = 0; i < engine.listeners().size(); i++) {
                var bound = engine.listeners().get(i).address();
                System.out.println(PORT_LINE + asWritten.listeners().get(i).port() + " " + bound.getHostString() + ":"
                        + bound.getPort());
            }
            health.ifPresent(h -> System.out.println(PORT_LINE + asWritten.httpPort() + " 127.0.0.1:" + h.port()));
            System.out.println(READY_LINE);
            System.out.flush();
        }
    }
}
