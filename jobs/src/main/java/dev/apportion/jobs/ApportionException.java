package dev.apportion.jobs;

import static java.util.Objects.requireNonNull;

/** A failure the command line reports as one line with its exit code (DESIGN §10), never as a stack trace. */
final class ApportionException extends RuntimeException {
    private static final long serialVersionUID = 1L;

    /** Exit codes of DESIGN §10; when several apply the highest {@link #precedence} wins. */
    enum ExitCode {
        SUCCESS(0, 0), GATE_FAILED(1, 3), USAGE(2, 4), LOCKED(3, 6), INTERNAL(4, 5), INPUTS_REJECTED(5, 2);

        final int code;
        final int precedence;

        ExitCode(int code, int precedence) {
            this.code = code;
            this.precedence = precedence;
        }
    }

    private final ExitCode exitCode;

    ApportionException(ExitCode exitCode, String message) {
        super(requireNonNull(message, "message is null"));
        this.exitCode = requireNonNull(exitCode, "exitCode is null");
    }

    ExitCode exitCode() {
        return exitCode;
    }
}
