package io.sealmail.config;

/**
 * Where the engine finds its certificate: the Kubernetes TLS Secret layout ({@code tls.crt} leaf first then chain,
 * {@code tls.key} PKCS#8). The engine watches these files and reloads them without a restart.
 */
public record TlsFiles(String certFile, String keyFile) {
    public TlsFiles {
        if (certFile == null || certFile.isBlank() || keyFile == null || keyFile.isBlank()) {
            throw new ConfigException("tls: certFile and keyFile are both required");
        }
    }
}
