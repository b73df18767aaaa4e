package io.sealmail.cli;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.AccessDeniedException;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.FileSystemException;
import java.nio.file.NoSuchFileException;
import java.nio.file.NotDirectoryException;
import java.util.List;
import java.util.Optional;
import java.util.stream.Collectors;

import io.sealmail.ca.CaException;
import io.sealmail.config.ConfigException;
import picocli.CommandLine;
import picocli.CommandLine.IExecutionExceptionHandler;
import picocli.CommandLine.IParameterExceptionHandler;
import picocli.CommandLine.ParameterException;
import picocli.CommandLine.ParseResult;
import picocli.CommandLine.UnmatchedArgumentException;

/**
 * Turns every failure of every {@code sealmail} command into one line on stderr and a non-zero exit code, never a
 * stack trace. Installed once on the top command line by {@link CommandLineCustomizer}, so commands need nothing
 * of their own.
 *
 * <p>How a command reports a user error: throw {@link UserError} (or let a {@link CaException} or
 * {@link ConfigException} through) with a message that says exactly what is wrong. It is printed as
 * {@code sealmail <command>: <message>}, exit code 1. Bad options and arguments exit 2 with picocli's message and
 * a pointer to {@code --help}; an unknown option is named first, with the options it may have meant. Anything else is a bug: exit 70 with a one-line summary; set
 * {@code SEALMAIL_DEBUG=1} to see the stack trace.
 */
public final class ErrorReporter implements IExecutionExceptionHandler, IParameterExceptionHandler {
    public static final int EXIT_USAGE = CommandLine.ExitCode.USAGE; // 2
    public static final int EXIT_INTERNAL = 70; // EX_SOFTWARE, sysexits.h

    /** Installs the handlers on a command line and, through picocli, on all its subcommands. */
    public static CommandLine install(CommandLine commandLine) {
        ErrorReporter reporter = new ErrorReporter();
        return commandLine.setExecutionExceptionHandler(reporter).setParameterExceptionHandler(reporter);
    }

    @Override
    public int handleExecutionException(Exception ex, CommandLine commandLine, ParseResult parseResult) {
        Throwable e = ex instanceof UncheckedIOException u ? u.getCause() : ex;
        String name = commandLine.getCommandSpec().qualifiedName();
        int exit;
        String message;
        if (e instanceof UserError || e instanceof CaException || e instanceof ConfigException) {
            exit = UserError.EXIT_CODE;
            message = e.getMessage();
        } else if (e instanceof IOException io) {
            exit = UserError.EXIT_CODE;
            message = describe(io);
        } else {
            exit = EXIT_INTERNAL;
            message = "internal error: " + e.getClass().getSimpleName()
                    + (e.getMessage() == null ? "" : ": " + e.getMessage())
                    + " (this is a bug; SEALMAIL_DEBUG=1 shows the stack trace)";
        }
        commandLine.getErr().println(name + ": " + oneLine(message));
        if ("1".equals(System.getenv("SEALMAIL_DEBUG"))) {
            e.printStackTrace(commandLine.getErr());
        }
        commandLine.getErr().flush();
        return exit;
    }

    @Override
    public int handleParseException(ParameterException ex, String[] args) {
        CommandLine commandLine = ex.getCommandLine();
        String name = commandLine.getCommandSpec().qualifiedName();
        ParameterException reported = unknownOption(commandLine).orElse(ex);
        String message = oneLine(reported.getMessage());
        if (reported instanceof UnmatchedArgumentException u && !u.getSuggestions().isEmpty()) {
            message += "; did you mean " + u.getSuggestions().stream().map(o -> "'" + o + "'").collect(Collectors.joining(" or ")) + "?";
        }
        commandLine.getErr().println(name + ": " + message + " (see '" + name + " --help')");
        commandLine.getErr().flush();
        return EXIT_USAGE;
    }

    /**
     * When the first argument picocli could not place is an option it does not know, that option explains the error
     * better than anything else: picocli checks required options before unknown ones, so a misspelt
     * {@code --ca-dir} would otherwise read as a missing {@code --ca}. Only the option words are named, not the
     * value that followed one.
     */
    private static Optional<ParameterException> unknownOption(CommandLine commandLine) {
        List<String> unmatched = commandLine.getUnmatchedArguments();
        if (unmatched.isEmpty() || !isOption(unmatched.get(0))) {
            return Optional.empty();
        }
        return Optional.of(new UnmatchedArgumentException(commandLine, unmatched.stream().filter(ErrorReporter::isOption).toList()));
    }

    private static boolean isOption(String arg) {
        return arg.length() > 1 && arg.startsWith("-");
    }

    /** File-system failures name the file and the problem, as ls or cp would. */
    static String describe(IOException e) {
        if (e instanceof NoSuchFileException f) {
            return f.getFile() + ": no such file or directory";
        }
        if (e instanceof AccessDeniedException f) {
            return f.getFile() + ": permission denied";
        }
        if (e instanceof FileAlreadyExistsException f) {
            return f.getFile() + ": already exists";
        }
        if (e instanceof NotDirectoryException f) {
            return f.getFile() + ": not a directory";
        }
        if (e instanceof FileSystemException f && f.getFile() != null) {
            return f.getFile() + ": " + (f.getReason() == null ? "input/output error" : f.getReason());
        }
        return e.getMessage() == null ? e.getClass().getSimpleName() : e.getMessage();
    }

    static String oneLine(String message) {
        if (message == null || message.isBlank()) {
            return "failed";
        }
        return message.strip().replaceAll("\\s*\\R\\s*", " ");
    }
}
