package io.sealmail.cli;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.Callable;

import io.sealmail.ca.CaSpec;
import io.sealmail.ca.CertificateAuthority;
import io.sealmail.ca.KeyAlgorithm;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/** {@code sealmail ca init}: a new self-signed CA in {@code DIR/ca.crt} and {@code DIR/ca.key}. */
@Command(name = "init", mixinStandardHelpOptions = true,
        description = "Create a certificate authority: writes DIR/ca.crt and DIR/ca.key (mode 0600).")
public class CaInitCommand implements Callable<Integer> {
    static final int MAX_DAYS = 36500;

    @Spec
    CommandSpec spec;

    @Option(names = "--out", required = true, paramLabel = "DIR", description = "Directory for ca.crt and ca.key (created if missing).")
    Path out;

    @Option(names = "--key", paramLabel = "ALG", defaultValue = "ecdsa-p256",
            description = "Key type: ecdsa-p256, rsa-2048, rsa-3072 or rsa-4096 (default: ${DEFAULT-VALUE}).")
    String key;

    @Option(names = "--subject", paramLabel = "DN", defaultValue = CaSpec.DEFAULT_SUBJECT,
            description = "Subject in RFC 4514 form (default: \"${DEFAULT-VALUE}\").")
    String subject;

    @Option(names = "--days", paramLabel = "N", defaultValue = "3650", description = "Validity in days (default: ${DEFAULT-VALUE}).")
    int days;

    @Option(names = "--force", description = "Replace an existing CA in DIR. Leaves it issued are no longer trusted by clients given the new ca.crt.")
    boolean force;

    @Override
    public Integer call() throws Exception {
        CaSpec caSpec = new CaSpec(subject, KeyAlgorithm.parse(key), Duration.ofDays(checkDays(days, MAX_DAYS)));
        Path crt = out.resolve("ca.crt");
        Path keyFile = out.resolve("ca.key");
        if (!force) {
            for (Path existing : new Path[] {keyFile, crt}) {
                if (Files.exists(existing)) {
                    throw new UserError(existing + " already exists; use --force to replace the CA"
                            + " (certificates it issued will no longer be trusted)");
                }
            }
        }
        CertificateAuthority ca = CertificateAuthority.create(caSpec, Clock.systemUTC());
        PemFiles.ensureDirectory(out, true);
        Map<Path, String> files = new LinkedHashMap<>();
        files.put(keyFile, ca.privateKeyPem());
        files.put(crt, ca.certificatePem());
        PemFiles.writeAll(files, Set.of(keyFile));
        spec.commandLine().getOut().printf("Created CA \"%s\" (%s), valid until %s%nWrote %s and %s (mode 0600)%n",
                ca.certificate().getSubjectX500Principal().getName(), ca.keyAlgorithm().id(),
                ca.certificate().getNotAfter().toInstant(), crt, keyFile);
        return 0;
    }

    static int checkDays(int days, int max) {
        if (days < 1 || days > max) {
            throw new UserError("--days must be between 1 and " + max + ", got " + days);
        }
        return days;
    }
}
