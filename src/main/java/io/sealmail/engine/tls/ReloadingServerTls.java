package io.sealmail.engine.tls;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.attribute.BasicFileAttributes;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.security.cert.CertificateParsingException;
import java.security.cert.X509Certificate;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;

import org.jboss.logging.Logger;

import io.netty.handler.ssl.SslContext;

/**
 * A {@link ServerTls} that serves the certificate in {@code tls.crt}/{@code tls.key} and follows changes to those
 * files without a restart.
 *
 * <h2>What counts as a change</h2>
 * Every poll (default once a second) resolves both paths to their real files, reads them, and compares real path,
 * size, modification time and a SHA-256 of the contents with the last observation. Polling, not a WatchService:
 * kubelet updates a mounted Secret by writing a new timestamped directory and atomically renaming the {@code ..data}
 * symlink to it ({@code tls.crt -> ..data/tls.crt}), an event inotify reports on the symlink, not on the file
 * watched, and which watch services on some filesystems miss entirely. Reading two small files once a second costs
 * nothing and also catches a plain in-place rewrite ({@code cp}, an editor, {@code sealmail ca issue --out}).
 *
 * <h2>What happens on a change</h2>
 * The new pair is parsed and cross-checked ({@link CertificatePair#parse}) and a new context is built. On success it
 * replaces the current one atomically: new handshakes use it at once, while connections already established keep
 * their session untouched (an {@link io.netty.handler.ssl.SslHandler} holds the engine of the context it was made
 * from). On failure (a half-written file, a key that does not match the certificate because tls.crt was rewritten
 * before tls.key, garbage) the previous pair keeps serving, one error is logged per distinct bad state, and the files
 * are tried again as soon as they change again, so the server heals by itself once the pair is consistent.
 *
 * <p>Thread-safety: {@link #current()} is a volatile read, safe from any event loop.
 */
public final class ReloadingServerTls implements ServerTls, AutoCloseable {
    /** How often the files are checked unless told otherwise. */
    public static final Duration DEFAULT_POLL_INTERVAL = Duration.ofSeconds(1);

    private static final Logger LOG = Logger.getLogger(ReloadingServerTls.class);

    private final Path certFile;
    private final Path keyFile;
    private final TlsProvider provider;
    private final TlsListener listener;
    private final ScheduledExecutorService poller;

    private volatile Loaded loaded;
    /** Identity of the last files looked at, loaded or refused; guarded by this. */
    private String lastSeen;

    private record Loaded(SslContext context, CertificatePair pair, String contentHash) {
    }

    private record Observation(String identity, String contentHash, byte[] cert, byte[] key, String error) {
    }

    /**
     * Loads the pair now and, if {@code pollInterval} is positive, checks the files for changes at that interval
     * on a daemon thread until {@link #close()}.
     *
     * @throws TlsException if the files cannot be read or do not form a usable pair (the engine cannot start)
     */
    public ReloadingServerTls(Path certFile, Path keyFile, TlsProvider provider, Duration pollInterval,
            TlsListener listener) {
        this.certFile = certFile;
        this.keyFile = keyFile;
        this.provider = provider;
        this.listener = listener == null ? TlsListener.NONE : listener;
        Observation first = observe();
        if (first.error() != null) {
            throw new TlsException(first.error());
        }
        synchronized (this) {
            this.loaded = load(first);
            this.lastSeen = first.identity();
        }
        announce(false);
        if (pollInterval != null && !pollInterval.isZero() && !pollInterval.isNegative()) {
            poller = Executors.newSingleThreadScheduledExecutor(r -> {
                Thread t = new Thread(r, "sealmail-tls-reload");
                t.setDaemon(true);
                return t;
            });
            long millis = pollInterval.toMillis();
            poller.scheduleWithFixedDelay(this::poll, millis, millis, TimeUnit.MILLISECONDS);
        } else {
            poller = null;
        }
    }

    /** Watches {@code certFile}/{@code keyFile} with the default provider ({@link TlsProvider#select()}) and interval. */
    public static ReloadingServerTls watch(Path certFile, Path keyFile, TlsListener listener) {
        return new ReloadingServerTls(certFile, keyFile, TlsProvider.select(), DEFAULT_POLL_INTERVAL, listener);
    }

    @Override
    public SslContext current() {
        return loaded.context();
    }

    @Override
    public TlsListener listener() {
        return listener;
    }

    /** The leaf certificate serving new handshakes now (for logs and an expiry metric). */
    public X509Certificate certificate() {
        return loaded.pair().leaf();
    }

    /** The provider every context of this instance is built with. */
    public TlsProvider provider() {
        return provider;
    }

    /**
     * Checks the files once, as the poller does; returns true if a new certificate now serves. Public so that a
     * caller (or a test) can force a check without waiting for the next poll.
     */
    public synchronized boolean reloadIfChanged() {
        Observation now = observe();
        if (now.identity().equals(lastSeen)) {
            return false;
        }
        lastSeen = now.identity();
        if (now.error() != null) {
            refuse(now.error());
            return false;
        }
        if (now.contentHash().equals(loaded.contentHash())) {
            return false; // touched or re-linked, same bytes: nothing to do
        }
        try {
            loaded = load(now);
        } catch (TlsException e) {
            refuse(e.getMessage());
            return false;
        }
        announce(true);
        return true;
    }

    @Override
    public void close() {
        if (poller != null) {
            poller.shutdownNow();
        }
    }

    private void poll() {
        try {
            reloadIfChanged();
        } catch (RuntimeException e) {
            // Never let the poller die: a later poll may succeed.
            LOG.errorf("TLS certificate check failed: %s", e.toString());
        }
    }

    private Loaded load(Observation o) {
        CertificatePair pair = CertificatePair.parse(o.cert(), o.key(), certFile.toString(), keyFile.toString());
        return new Loaded(TlsPolicy.serverContext(pair, provider), pair, o.contentHash());
    }

    private void refuse(String reason) {
        LOG.errorf("TLS certificate change refused, still serving serial %s: %s", loaded.pair().serialHex(), reason);
        try {
            listener.reloadFailed(reason);
        } catch (RuntimeException e) {
            LOG.warnf("TLS listener failed: %s", e.toString());
        }
    }

    private void announce(boolean reload) {
        X509Certificate leaf = loaded.pair().leaf();
        Instant notAfter = leaf.getNotAfter().toInstant();
        LOG.infof("TLS certificate %s: serial %s, names %s, valid until %s, from %s", reload ? "reloaded" : "loaded",
                loaded.pair().serialHex(), names(leaf), notAfter, certFile);
        Instant now = Instant.now();
        if (now.isAfter(notAfter)) {
            LOG.warnf("TLS certificate serial %s expired at %s; clients that verify will refuse it",
                    loaded.pair().serialHex(), notAfter);
        } else if (now.isBefore(leaf.getNotBefore().toInstant())) {
            LOG.warnf("TLS certificate serial %s is not valid before %s (clock skew?)", loaded.pair().serialHex(),
                    leaf.getNotBefore().toInstant());
        }
        try {
            listener.certificateLoaded(leaf, reload);
        } catch (RuntimeException e) {
            LOG.warnf("TLS listener failed: %s", e.toString());
        }
    }

    private Observation observe() {
        try {
            Path realCert = certFile.toRealPath();
            Path realKey = keyFile.toRealPath();
            BasicFileAttributes certAttrs = Files.readAttributes(realCert, BasicFileAttributes.class);
            BasicFileAttributes keyAttrs = Files.readAttributes(realKey, BasicFileAttributes.class);
            byte[] cert = Files.readAllBytes(realCert);
            byte[] key = Files.readAllBytes(realKey);
            String hash = sha256(cert, key);
            String identity = realCert + "|" + certAttrs.size() + "|" + certAttrs.lastModifiedTime() + "|" + realKey
                    + "|" + keyAttrs.size() + "|" + keyAttrs.lastModifiedTime() + "|" + hash;
            return new Observation(identity, hash, cert, key, null);
        } catch (NoSuchFileException e) {
            String error = "file not found: " + e.getFile();
            return new Observation("error|" + error, null, null, null, error);
        } catch (IOException e) {
            String error = "cannot read " + certFile + " or " + keyFile + ": " + e;
            return new Observation("error|" + error, null, null, null, error);
        }
    }

    private static String sha256(byte[] cert, byte[] key) {
        try {
            MessageDigest digest = MessageDigest.getInstance("SHA-256");
            digest.update(Integer.toString(cert.length).getBytes(java.nio.charset.StandardCharsets.US_ASCII));
            digest.update((byte) 0);
            digest.update(cert);
            digest.update(key);
            return HexFormat.of().formatHex(digest.digest());
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("SHA-256 is missing from this JDK", e);
        }
    }

    private static List<String> names(X509Certificate leaf) {
        List<String> names = new ArrayList<>();
        try {
            if (leaf.getSubjectAlternativeNames() != null) {
                for (List<?> san : leaf.getSubjectAlternativeNames()) {
                    names.add(String.valueOf(san.get(1)));
                }
            }
        } catch (CertificateParsingException e) {
            names.add("(unreadable SAN)");
        }
        return names;
    }
}
