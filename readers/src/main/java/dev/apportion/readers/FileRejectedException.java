package dev.apportion.readers;

import static java.util.Objects.requireNonNull;

/** A whole input file is refused; the message says why and what to do, and names the file. */
public final class FileRejectedException extends RuntimeException {
    private static final long serialVersionUID = 1L;

    private final RejectReason reason;

    public FileRejectedException(RejectReason reason, String message) {
        super(requireNonNull(message, "message is null"));
        this.reason = requireNonNull(reason, "reason is null");
    }

    public RejectReason reason() {
        return reason;
    }
}
