package io.sealmail.cli;

import java.io.PrintWriter;
import java.math.BigInteger;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.security.cert.CertPathValidator;
import java.security.cert.CertPathValidatorException;
import java.security.cert.CertificateFactory;
import java.security.cert.CertificateParsingException;
import java.security.cert.PKIXParameters;
import java.security.cert.PKIXReason;
import java.security.cert.TrustAnchor;
import java.security.cert.X509Certificate;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Date;
import java.util.HashSet;
import java.util.HexFormat;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.Callable;

import io.sealmail.ca.CaException;
import io.sealmail.ca.KeyAlgorithm;
import io.sealmail.ca.Pem;
import io.sealmail.ca.SubjectAltNames;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;

/** {@code sealmail ca inspect}: what a PEM certificate file holds, and whether it chains to a given CA. */
@Command(name = "inspect", mixinStandardHelpOptions = true,
        description = "Show the certificates in a PEM file: subject, issuer, names, validity, key, serial, SHA-256"
                + " fingerprint, CA or not. With --ca, also check (PKIX, now) that the file's chain leads to that CA;"
                + " exit 1 if it does not.")
public class CaInspectCommand implements Callable<Integer> {
    private static final Map<String, String> EKU = Map.of(
            "1.3.6.1.5.5.7.3.1", "serverAuth", "1.3.6.1.5.5.7.3.2", "clientAuth", "1.3.6.1.5.5.7.3.3", "codeSigning",
            "1.3.6.1.5.5.7.3.4", "emailProtection", "1.3.6.1.5.5.7.3.8", "timeStamping", "1.3.6.1.5.5.7.3.9", "OCSPSigning");
    private static final String[] KEY_USAGE = {"digitalSignature", "nonRepudiation", "keyEncipherment", "dataEncipherment",
            "keyAgreement", "keyCertSign", "cRLSign", "encipherOnly", "decipherOnly"};

    @Spec
    CommandSpec spec;

    @Parameters(index = "0", paramLabel = "FILE", description = "PEM file with one or more certificates (tls.crt, ca.crt).")
    Path file;

    @Option(names = "--ca", paramLabel = "CA_FILE", description = "PEM file with the CA certificate(s) to check the chain against.")
    Path caFile;

    @Override
    public Integer call() throws Exception {
        List<X509Certificate> certs = certificates(file);
        List<X509Certificate> anchors = caFile == null ? null : certificates(caFile);
        PrintWriter out = spec.commandLine().getOut();
        Instant now = Instant.now();
        for (int i = 0; i < certs.size(); i++) {
            if (certs.size() > 1) {
                out.printf("%sCertificate %d of %d%s%n", i == 0 ? "" : "\n", i + 1, certs.size(),
                        i == 0 ? " (leaf)" : "");
            }
            print(out, certs.get(i), now);
        }
        if (anchors == null) {
            out.flush();
            return 0;
        }
        String problem = chainProblem(certs, anchors, now);
        out.printf("%nChains to %s: %s%n", caFile, problem == null ? "yes" : "no, " + problem);
        out.flush();
        if (problem != null) {
            throw new UserError(file + " does not chain to " + caFile + ": " + problem);
        }
        return 0;
    }

    private static List<X509Certificate> certificates(Path path) throws Exception {
        try {
            return Pem.readCertificates(PemFiles.read(path));
        } catch (CaException e) {
            throw new UserError(path + ": " + e.getMessage(), e);
        }
    }

    private static void print(PrintWriter out, X509Certificate c, Instant now) throws Exception {
        row(out, "Subject", c.getSubjectX500Principal().getName());
        row(out, "Issuer", c.getIssuerX500Principal().getName()
                + (c.getIssuerX500Principal().equals(c.getSubjectX500Principal()) ? " (self-signed)" : ""));
        List<String> dns = new ArrayList<>();
        List<String> ips = new ArrayList<>();
        for (String name : sanList(c)) {
            (name.startsWith("IP:") ? ips : dns).add(name.startsWith("IP:") ? name.substring(3) : name);
        }
        row(out, "DNS names", dns.isEmpty() ? "none" : String.join(", ", dns));
        row(out, "IP addresses", ips.isEmpty() ? "none" : String.join(", ", ips));
        row(out, "Not before", c.getNotBefore().toInstant().toString());
        row(out, "Not after", c.getNotAfter().toInstant() + " (" + remaining(c, now) + ")");
        String key;
        try {
            key = KeyAlgorithm.of(c.getPublicKey()).id();
        } catch (CaException e) {
            key = e.getMessage();
        }
        row(out, "Key", key);
        row(out, "Signature", c.getSigAlgName());
        row(out, "Serial", hex(c.getSerialNumber()));
        row(out, "SHA-256", fingerprint(c));
        int pathLen = c.getBasicConstraints();
        row(out, "CA", pathLen < 0 ? "no" : "yes" + (pathLen == Integer.MAX_VALUE ? "" : ", path length " + pathLen));
        row(out, "Key usage", keyUsage(c));
        List<String> eku = c.getExtendedKeyUsage();
        row(out, "Extended usage", eku == null ? "none" : String.join(", ", eku.stream().map(o -> EKU.getOrDefault(o, o)).toList()));
    }

    private static void row(PrintWriter out, String label, String value) {
        out.printf("  %-15s %s%n", label + ":", value);
    }

    private static String remaining(X509Certificate c, Instant now) {
        if (now.isBefore(c.getNotBefore().toInstant())) {
            return "not yet valid";
        }
        Duration left = Duration.between(now, c.getNotAfter().toInstant());
        if (left.isNegative()) {
            return "EXPIRED " + -left.toDays() + " days ago";
        }
        return left.toDays() + " days left";
    }

    private static String keyUsage(X509Certificate c) {
        boolean[] ku = c.getKeyUsage();
        if (ku == null) {
            return "none";
        }
        List<String> names = new ArrayList<>();
        for (int i = 0; i < ku.length && i < KEY_USAGE.length; i++) {
            if (ku[i]) {
                names.add(KEY_USAGE[i]);
            }
        }
        return String.join(", ", names);
    }

    /** SAN entries: DNS names as they are, IP addresses as {@code IP:} plus their canonical text. */
    static List<String> sanList(X509Certificate c) throws CertificateParsingException {
        List<String> names = new ArrayList<>();
        if (c.getSubjectAlternativeNames() == null) {
            return names;
        }
        for (List<?> entry : c.getSubjectAlternativeNames()) {
            int type = (Integer) entry.get(0);
            if (type == 2) {
                names.add(String.valueOf(entry.get(1)));
            } else if (type == 7) {
                String ip = String.valueOf(entry.get(1));
                try {
                    ip = SubjectAltNames.ipText(SubjectAltNames.ipAddress(ip));
                } catch (CaException e) {
                    // keep the JDK's text
                }
                names.add("IP:" + ip);
            }
        }
        return names;
    }

    /** Upper-case hex without leading zero octets, as {@code openssl x509 -serial} prints it. */
    static String hex(BigInteger serial) {
        String h = serial.toString(16).toUpperCase(Locale.ROOT);
        return h.length() % 2 == 0 ? h : "0" + h;
    }

    static String hex(byte[] bytes) {
        return hex(new BigInteger(1, bytes));
    }

    static String fingerprint(X509Certificate c) throws Exception {
        byte[] digest = MessageDigest.getInstance("SHA-256").digest(c.getEncoded());
        return HexFormat.ofDelimiter(":").withUpperCase().formatHex(digest);
    }

    /** Null when the file's chain validates (PKIX, now) to one of the anchors; otherwise what is wrong. */
    static String chainProblem(List<X509Certificate> certs, List<X509Certificate> anchors, Instant now) throws Exception {
        Set<TrustAnchor> trust = new HashSet<>();
        for (X509Certificate a : anchors) {
            trust.add(new TrustAnchor(a, null));
        }
        // A bundle may end with the root itself; the path stops below the anchor.
        List<X509Certificate> path = new ArrayList<>(certs);
        while (!path.isEmpty() && anchors.contains(path.get(path.size() - 1))) {
            path.remove(path.size() - 1);
        }
        if (path.isEmpty()) {
            return null; // the file is the CA certificate itself
        }
        PKIXParameters params = new PKIXParameters(trust);
        params.setRevocationEnabled(false);
        params.setDate(Date.from(now));
        try {
            CertPathValidator.getInstance("PKIX").validate(CertificateFactory.getInstance("X.509").generateCertPath(path), params);
            return null;
        } catch (CertPathValidatorException e) {
            String which = e.getIndex() >= 0 && path.size() > 1 ? "certificate " + (e.getIndex() + 1) + " " : "the certificate ";
            if (e.getReason() == PKIXReason.NO_TRUST_ANCHOR) {
                return "not issued by this CA";
            }
            if (e.getReason() == CertPathValidatorException.BasicReason.EXPIRED) {
                return which + "has expired";
            }
            if (e.getReason() == CertPathValidatorException.BasicReason.NOT_YET_VALID) {
                return which + "is not yet valid";
            }
            if (e.getReason() == CertPathValidatorException.BasicReason.INVALID_SIGNATURE) {
                return which + "has a signature this CA's key does not verify";
            }
            return ErrorReporter.oneLine(e.getMessage());
        }
    }
}
