package io.sealmail.cli;

/**
 * A mistake by the person running a command: a missing file, a refused overwrite, a bad combination of options.
 * Throw it from any command's {@code call()}/{@code run()}; {@link ErrorReporter} prints {@code getMessage()} as
 * one line on stderr and exits with {@link #EXIT_CODE}. Say what is wrong and, where it helps, what to do.
 */
public class UserError extends RuntimeException {
    public static final int EXIT_CODE = 1;

    public UserError(String message) {
        super(message);
    }

    public UserError(String message, Throwable cause) {
        super(message, cause);
    }
}
