package io.sealmail.store;

import org.junit.jupiter.api.Test;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Stream;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * DESIGN.md: {@code store} uses nothing of ours, so the protocols depend on it and never the other way round. Of
 * Netty it may use the buffer library only ({@code MailFolder.read} fills a {@code ByteBuf} from the file), never a
 * channel, codec or handler. Checked on the sources, so a stray import fails the build.
 */
class StorePackageDependenciesTest {

    @Test
    void theStoreImportsNothingOfTheEngineOrTheProtocolsAndOfNettyOnlyBuffers() throws IOException {
        List<String> offending = new ArrayList<>();
        try (Stream<Path> files = Files.walk(Path.of("src/main/java/io/sealmail/store"))) {
            for (Path f : files.filter(p -> p.toString().endsWith(".java")).toList()) {
                for (String line : Files.readAllLines(f)) {
                    String l = line.strip();
                    if (!l.startsWith("import ")) {
                        continue;
                    }
                    String target = l.substring("import ".length()).replace("static ", "");
                    boolean ours = target.startsWith("io.sealmail.") && !target.startsWith("io.sealmail.store.");
                    boolean netty = target.startsWith("io.netty.") && !target.startsWith("io.netty.buffer.");
                    if (ours || netty) {
                        offending.add(f.getFileName() + ": " + l);
                    }
                }
            }
        }
        assertThat(offending).isEmpty();
    }
}
