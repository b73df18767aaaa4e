package io.sealmail.engine.delivery;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;

/**
 * The relay's login, read from {@code outbound.relay.credentialsFile} at each connection, so a rotated Secret
 * applies without a restart: a file with one line {@code user:password}, or a directory with the files
 * {@code username} and {@code password} (a mounted {@code kubernetes.io/basic-auth} Secret). Never logged.
 */
record RelayCredentials(String username, char[] password) {

    static RelayCredentials read(Path path) throws IOException {
        if (Files.isDirectory(path)) {
            String user = Files.readString(path.resolve("username"), StandardCharsets.UTF_8).strip();
            String password = Files.readString(path.resolve("password"), StandardCharsets.UTF_8);
            return checked(user, stripNewline(password), path);
        }
        String line = stripNewline(Files.readString(path, StandardCharsets.UTF_8));
        int colon = line.indexOf(':');
        if (colon < 0) {
            throw new IOException(path + ": expected one line 'user:password'");
        }
        return checked(line.substring(0, colon).strip(), line.substring(colon + 1), path);
    }

    private static RelayCredentials checked(String user, String password, Path path) throws IOException {
        if (user.isEmpty() || password.isEmpty()) {
            throw new IOException(path + ": user name or password is empty");
        }
        return new RelayCredentials(user, password.toCharArray());
    }

    private static String stripNewline(String s) {
        int end = s.length();
        while (end > 0 && (s.charAt(end - 1) == '\n' || s.charAt(end - 1) == '\r')) {
            end--;
        }
        return s.substring(0, end);
    }

    @Override
    public String toString() {
        return "RelayCredentials[" + username + "]";
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof RelayCredentials r && r.username.equals(username) && Arrays.equals(r.password, password);
    }

    @Override
    public int hashCode() {
        return username.hashCode();
    }
}
