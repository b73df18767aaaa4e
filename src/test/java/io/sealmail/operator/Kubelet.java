package io.sealmail.operator;

import io.fabric8.kubernetes.api.model.ConfigMap;
import io.fabric8.kubernetes.api.model.Container;
import io.fabric8.kubernetes.api.model.ContainerPort;
import io.fabric8.kubernetes.api.model.IntOrString;
import io.fabric8.kubernetes.api.model.KeyToPath;
import io.fabric8.kubernetes.api.model.Secret;
import io.fabric8.kubernetes.api.model.Volume;
import io.fabric8.kubernetes.api.model.VolumeMount;
import io.fabric8.kubernetes.api.model.VolumeProjection;
import io.fabric8.kubernetes.api.model.apps.StatefulSet;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.sealmail.cli.ContainerMain;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.net.HttpURLConnection;
import java.net.InetSocketAddress;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.attribute.PosixFilePermission;
import java.time.LocalDateTime;
import java.time.format.DateTimeFormatter;
import java.util.ArrayList;
import java.util.Base64;
import java.util.EnumSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.stream.Collectors;

/**
 * What a kubelet does with one pod of a StatefulSet, on this machine: it lays out the container's volumes under a
 * root directory exactly at the paths its volumeMounts name, runs the container's command and args (a child JVM
 * through {@link ContainerMain}), probes readiness, and later updates Secret and ConfigMap volumes the way the
 * kubelet's atomic writer does. It reads only the pod template and the objects it names, never the operator's code.
 *
 * <p>Atomic writer layout (kubelet {@code pkg/volume/util/atomic_writer.go}): the payload goes into a new
 * {@code ..<timestamp>} directory, a {@code ..data_tmp} symlink to it is renamed over {@code ..data} (one atomic
 * step), and each top-level name is a symlink into {@code ..data}. A reader that resolves a path sees the old files
 * or the new ones, never a mix.
 */
final class Kubelet implements AutoCloseable {
    private static final DateTimeFormatter STAMP = DateTimeFormatter.ofPattern("yyyy_MM_dd_HH_mm_ss.");
    private static final AtomicInteger SEQUENCE = new AtomicInteger();

    private final KubernetesClient client;
    private final String namespace;
    private final StatefulSet statefulSet;
    private final Container container;
    private final Path root;
    /** Last payload written per mount path, to write only on change (the kubelet compares too). */
    private final Map<String, Map<String, Payload>> written = new ConcurrentHashMap<>();
    private final Map<Integer, InetSocketAddress> published = new LinkedHashMap<>();
    private final List<String> output = java.util.Collections.synchronizedList(new ArrayList<>());
    private Process process;

    private record Payload(byte[] content, int mode) {
        @Override
        public boolean equals(Object o) {
            return o instanceof Payload p && p.mode == mode && java.util.Arrays.equals(p.content, content);
        }

        @Override
        public int hashCode() {
            return java.util.Arrays.hashCode(content) * 31 + mode;
        }
    }

    Kubelet(KubernetesClient client, StatefulSet statefulSet, Path root) {
        this.client = client;
        this.namespace = statefulSet.getMetadata().getNamespace();
        this.statefulSet = statefulSet;
        List<Container> containers = statefulSet.getSpec().getTemplate().getSpec().getContainers();
        if (containers.size() != 1) {
            throw new IllegalArgumentException("one container expected, found " + containers.size());
        }
        this.container = containers.get(0);
        this.root = root;
    }

    Container container() {
        return container;
    }

    Path root() {
        return root;
    }

    Path hostPath(String containerPath) {
        return root.resolve(containerPath.substring(1));
    }

    /** Lays out every volume the container mounts. */
    void mountVolumes() throws IOException {
        for (VolumeMount mount : container.getVolumeMounts()) {
            if (mount.getSubPath() != null || mount.getSubPathExpr() != null) {
                throw new IllegalArgumentException("subPath mounts are not emulated: " + mount.getName());
            }
            Path dir = hostPath(mount.getMountPath());
            Files.createDirectories(dir);
            Volume volume = volume(mount.getName());
            if (volume == null) {
                // A volumeClaimTemplate: the StatefulSet controller makes the claim, the kubelet mounts an empty volume.
                boolean claim = statefulSet.getSpec().getVolumeClaimTemplates().stream()
                        .anyMatch(c -> c.getMetadata().getName().equals(mount.getName()));
                if (!claim) {
                    throw new IllegalStateException("volumeMount " + mount.getName() + " names no volume");
                }
            } else if (volume.getEmptyDir() == null) {
                write(mount.getMountPath(), payload(volume));
            }
        }
    }

    /** Re-reads the Secrets and ConfigMaps and rewrites every volume whose content changed; true if any did. */
    boolean syncVolumes() throws IOException {
        boolean changed = false;
        for (VolumeMount mount : container.getVolumeMounts()) {
            Volume volume = volume(mount.getName());
            if (volume != null && volume.getEmptyDir() == null) {
                Map<String, Payload> next = payload(volume);
                if (!next.equals(written.get(mount.getMountPath()))) {
                    write(mount.getMountPath(), next);
                    changed = true;
                }
            }
        }
        return changed;
    }

    private Volume volume(String name) {
        return statefulSet.getSpec().getTemplate().getSpec().getVolumes().stream()
                .filter(v -> v.getName().equals(name)).findFirst().orElse(null);
    }

    /** The files of a secret, configMap or projected volume, path to content, as the API objects say now. */
    private Map<String, Payload> payload(Volume volume) {
        Map<String, Payload> files = new TreeMap<>();
        if (volume.getProjected() != null) {
            int mode = volume.getProjected().getDefaultMode() == null ? 0644 : volume.getProjected().getDefaultMode();
            for (VolumeProjection source : volume.getProjected().getSources()) {
                if (source.getSecret() != null) {
                    var s = source.getSecret();
                    add(files, secretData(s.getName(), Boolean.TRUE.equals(s.getOptional())), s.getItems(), mode);
                } else if (source.getConfigMap() != null) {
                    var c = source.getConfigMap();
                    add(files, configMapData(c.getName(), Boolean.TRUE.equals(c.getOptional())), c.getItems(), mode);
                } else {
                    throw new IllegalArgumentException("projected source not emulated: " + source);
                }
            }
        } else if (volume.getSecret() != null) {
            var s = volume.getSecret();
            add(files, secretData(s.getSecretName(), Boolean.TRUE.equals(s.getOptional())), s.getItems(),
                    s.getDefaultMode() == null ? 0644 : s.getDefaultMode());
        } else if (volume.getConfigMap() != null) {
            var c = volume.getConfigMap();
            add(files, configMapData(c.getName(), Boolean.TRUE.equals(c.getOptional())), c.getItems(),
                    c.getDefaultMode() == null ? 0644 : c.getDefaultMode());
        } else {
            throw new IllegalArgumentException("volume source not emulated: " + volume.getName());
        }
        return files;
    }

    private static void add(Map<String, Payload> files, Map<String, byte[]> data, List<KeyToPath> items, int mode) {
        if (data == null) {
            return; // an optional source that does not exist
        }
        if (items == null || items.isEmpty()) {
            data.forEach((k, v) -> files.put(k, new Payload(v, mode)));
            return;
        }
        for (KeyToPath item : items) {
            byte[] value = data.get(item.getKey());
            if (value == null) {
                // The kubelet refuses to start the pod when a listed key is missing from a non-optional source.
                throw new IllegalStateException("key " + item.getKey() + " not found for " + item.getPath());
            }
            files.put(item.getPath(), new Payload(value, item.getMode() == null ? mode : item.getMode()));
        }
    }

    private Map<String, byte[]> secretData(String name, boolean optional) {
        Secret s = client.secrets().inNamespace(namespace).withName(name).get();
        if (s == null) {
            if (optional) {
                return null;
            }
            throw new IllegalStateException("Secret " + name + " not found: the pod would stay in ContainerCreating");
        }
        Map<String, byte[]> data = new TreeMap<>();
        if (s.getData() != null) {
            s.getData().forEach((k, v) -> data.put(k, Base64.getDecoder().decode(v)));
        }
        return data;
    }

    private Map<String, byte[]> configMapData(String name, boolean optional) {
        ConfigMap c = client.configMaps().inNamespace(namespace).withName(name).get();
        if (c == null) {
            if (optional) {
                return null;
            }
            throw new IllegalStateException("ConfigMap " + name + " not found: the pod would stay in ContainerCreating");
        }
        Map<String, byte[]> data = new TreeMap<>();
        if (c.getData() != null) {
            c.getData().forEach((k, v) -> data.put(k, v.getBytes(StandardCharsets.UTF_8)));
        }
        if (c.getBinaryData() != null) {
            c.getBinaryData().forEach((k, v) -> data.put(k, Base64.getDecoder().decode(v)));
        }
        return data;
    }

    /** The atomic writer: new timestamped directory, {@code ..data} swapped by one rename, top-level symlinks. */
    private void write(String mountPath, Map<String, Payload> files) throws IOException {
        Path dir = hostPath(mountPath);
        String stamp = ".." + LocalDateTime.now().format(STAMP) + SEQUENCE.incrementAndGet();
        Path next = dir.resolve(stamp);
        Files.createDirectory(next);
        for (var file : files.entrySet()) {
            Path target = next.resolve(file.getKey());
            Files.createDirectories(target.getParent());
            Files.write(target, file.getValue().content());
            Files.setPosixFilePermissions(target, permissions(file.getValue().mode()));
        }
        Path data = dir.resolve("..data");
        Path old = Files.isSymbolicLink(data) ? dir.resolve(Files.readSymbolicLink(data)) : null;
        Path tmp = dir.resolve("..data_tmp");
        Files.deleteIfExists(tmp);
        Files.createSymbolicLink(tmp, Path.of(stamp));
        Files.move(tmp, data, StandardCopyOption.ATOMIC_MOVE);

        Set<String> top = files.keySet().stream().map(p -> p.split("/", 2)[0]).collect(Collectors.toSet());
        for (String name : top) {
            Path link = dir.resolve(name);
            if (!Files.isSymbolicLink(link)) {
                Files.createSymbolicLink(link, Path.of("..data", name));
            }
        }
        try (var entries = Files.list(dir)) {
            for (Path p : entries.toList()) {
                String name = p.getFileName().toString();
                if (!name.startsWith("..") && !top.contains(name) && Files.isSymbolicLink(p)) {
                    Files.delete(p);
                }
            }
        }
        if (old != null && !old.equals(next)) {
            deleteTree(old);
        }
        written.put(mountPath, files);
    }

    private static Set<PosixFilePermission> permissions(int mode) {
        Set<PosixFilePermission> set = EnumSet.noneOf(PosixFilePermission.class);
        PosixFilePermission[] bits = PosixFilePermission.values(); // OWNER_READ ... OTHERS_EXECUTE, high bit first
        for (int i = 0; i < 9; i++) {
            if ((mode & (1 << (8 - i))) != 0) {
                set.add(bits[i]);
            }
        }
        return set;
    }

    private static void deleteTree(Path p) throws IOException {
        if (Files.isDirectory(p, LinkOption.NOFOLLOW_LINKS)) {
            try (var entries = Files.list(p)) {
                for (Path e : entries.toList()) {
                    deleteTree(e);
                }
            }
        }
        Files.deleteIfExists(p);
    }

    /**
     * Starts the container's command and args, and waits until the process publishes its ports. The child's
     * {@code java.io.tmpdir} is the pod's {@code /tmp} volume.
     */
    void startContainer() throws IOException, InterruptedException {
        List<String> cmd = new ArrayList<>(List.of(Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                "-cp", System.getProperty("java.class.path"), "-Xmx256m",
                "-Djava.io.tmpdir=" + hostPath(EngineContainer.TMP_DIR),
                ContainerMain.class.getName(), root.toString()));
        cmd.addAll(container.getCommand());
        cmd.addAll(container.getArgs());
        process = new ProcessBuilder(cmd).redirectErrorStream(true).start();
        BufferedReader out = new BufferedReader(new InputStreamReader(process.getInputStream(), StandardCharsets.UTF_8));
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(120);
        String line;
        while (System.nanoTime() < deadline && (line = out.readLine()) != null) {
            output.add(line);
            if (line.startsWith(ContainerMain.PORT_LINE)) {
                String[] parts = line.substring(ContainerMain.PORT_LINE.length()).split(" ");
                String[] hostPort = parts[1].split(":");
                published.put(Integer.parseInt(parts[0]), new InetSocketAddress(hostPort[0], Integer.parseInt(hostPort[1])));
            } else if (line.equals(ContainerMain.READY_LINE)) {
                Thread drain = new Thread(() -> {
                    try {
                        String l;
                        while ((l = out.readLine()) != null) {
                            output.add(l);
                        }
                    } catch (IOException ignored) {
                        // the process ended
                    }
                }, "kubelet-container-output");
                drain.setDaemon(true);
                drain.start();
                return;
            }
        }
        throw new AssertionError("the container never became ready:\n" + String.join("\n", output));
    }

    Process process() {
        return process;
    }

    List<String> output() {
        synchronized (output) {
            return List.copyOf(output);
        }
    }

    /** Container port number to where the engine actually listens. */
    Map<Integer, InetSocketAddress> publishedPorts() {
        return Map.copyOf(published);
    }

    /** A named or numbered container port to where it listens, as a Service's targetPort is resolved. */
    InetSocketAddress resolve(IntOrString port) {
        int number;
        if (port.getStrVal() != null) {
            number = container.getPorts().stream().filter(p -> port.getStrVal().equals(p.getName()))
                    .map(ContainerPort::getContainerPort).findFirst()
                    .orElseThrow(() -> new IllegalStateException("no container port named " + port.getStrVal()));
        } else {
            number = port.getIntVal();
        }
        return published.get(number);
    }

    /** The readiness probe, as the kubelet runs it: HTTP GET on the named port, 200-399 is ready. */
    boolean ready() {
        var get = container.getReadinessProbe().getHttpGet();
        InetSocketAddress at = resolve(get.getPort());
        if (at == null) {
            return false;
        }
        try {
            HttpURLConnection c = (HttpURLConnection) URI.create("http://" + at.getHostString() + ":" + at.getPort()
                    + get.getPath()).toURL().openConnection();
            c.setConnectTimeout(2000);
            c.setReadTimeout(2000);
            int code = c.getResponseCode();
            c.disconnect();
            return code >= 200 && code < 400;
        } catch (IOException e) {
            return false;
        }
    }

    /** Stops the container (SIGTERM, as the kubelet does) and keeps its output in target/ for a failed run. */
    @Override
    public void close() throws InterruptedException, IOException {
        if (process != null) {
            process.destroy();
            if (!process.waitFor(30, TimeUnit.SECONDS)) {
                process.destroyForcibly();
            }
            Files.createDirectories(Path.of("target"));
            Files.write(Path.of("target", "e2e-" + statefulSet.getMetadata().getName() + "-0.log"), output());
        }
    }
}
