package io.sealmail.cli;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.Callable;

import io.sealmail.ca.CaException;
import io.sealmail.ca.CertificateAuthority;
import io.sealmail.ca.IssuedCertificate;
import io.sealmail.ca.KeyAlgorithm;
import io.sealmail.ca.LeafSpec;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/** {@code sealmail ca issue}: a server certificate in the Kubernetes TLS Secret layout. */
@Command(name = "issue", mixinStandardHelpOptions = true,
        description = "Issue a server certificate: writes DIR/tls.crt (leaf, then chain without the root),"
                + " DIR/tls.key (PKCS#8, mode 0600) and DIR/ca.crt (the root).")
public class CaIssueCommand implements Callable<Integer> {
    static final int MAX_DAYS = 3650;

    @Spec
    CommandSpec spec;

    @Option(names = "--ca", required = true, paramLabel = "DIR", description = "Directory holding the CA's ca.crt and ca.key.")
    Path caDir;

    @Option(names = "--dns", paramLabel = "NAME", arity = "1..*", split = ",",
            description = "DNS names (repeat, or separate with commas). A wildcard only as the whole left-most label: *.example.com.")
    List<String> dns = new ArrayList<>();

    @Option(names = "--ip", paramLabel = "ADDR", arity = "1..*", split = ",",
            description = "IPv4 or IPv6 addresses (repeat, or separate with commas).")
    List<String> ips = new ArrayList<>();

    @Option(names = "--key", paramLabel = "ALG", defaultValue = "ecdsa-p256",
            description = "Key type: ecdsa-p256, rsa-2048, rsa-3072 or rsa-4096 (default: ${DEFAULT-VALUE}).")
    String key;

    @Option(names = "--days", paramLabel = "N", defaultValue = "90",
            description = "Validity in days (default: ${DEFAULT-VALUE}); never past the CA's own expiry.")
    int days;

    @Option(names = "--out", required = true, paramLabel = "DIR", description = "Directory for tls.crt, tls.key and ca.crt (created if missing).")
    Path out;

    @Override
    public Integer call() throws Exception {
        if (dns.isEmpty() && ips.isEmpty()) {
            throw new UserError("give at least one --dns NAME or --ip ADDR");
        }
        LeafSpec leafSpec = new LeafSpec(dns, ips, KeyAlgorithm.parse(key), Duration.ofDays(CaInitCommand.checkDays(days, MAX_DAYS)));
        if (Files.isDirectory(out) && Files.isDirectory(caDir) && Files.isSameFile(out, caDir)) {
            throw new UserError("--out must be another directory than --ca: keep the CA key apart from server keys");
        }
        CertificateAuthority ca = load(caDir);
        IssuedCertificate issued = ca.issue(leafSpec);
        PemFiles.ensureDirectory(out, false);
        Path crt = out.resolve("tls.crt");
        Path keyFile = out.resolve("tls.key");
        Path root = out.resolve("ca.crt");
        Map<Path, String> files = new LinkedHashMap<>();
        files.put(keyFile, issued.tlsKeyPem());
        files.put(crt, issued.tlsCrtPem());
        files.put(root, issued.caCrtPem());
        PemFiles.writeAll(files, Set.of(keyFile));
        List<String> names = new ArrayList<>();
        issued.leaf().getSubjectAlternativeNames().forEach(e -> names.add(String.valueOf(e.get(1))));
        spec.commandLine().getOut().printf("Issued %s certificate for %s, valid until %s, serial %s%nWrote %s, %s (mode 0600) and %s%n",
                leafSpec.key().id(), String.join(", ", CaInspectCommand.sanList(issued.leaf())).replace("IP:", ""),
                issued.leaf().getNotAfter().toInstant(), CaInspectCommand.hex(issued.leaf().getSerialNumber()),
                crt, keyFile, root);
        return 0;
    }

    /** Loads {@code DIR/ca.crt} and {@code DIR/ca.key}, naming the directory in any refusal. */
    static CertificateAuthority load(Path dir) throws Exception {
        if (!Files.isDirectory(dir)) {
            throw new UserError(dir + ": no such directory (create a CA with 'sealmail ca init --out " + dir + "')");
        }
        String crt = PemFiles.read(dir.resolve("ca.crt"));
        String key = PemFiles.read(dir.resolve("ca.key"));
        try {
            return CertificateAuthority.fromPem(crt, key, Clock.systemUTC());
        } catch (CaException e) {
            throw new UserError("cannot use the CA in " + dir + ": " + e.getMessage(), e);
        }
    }
}
