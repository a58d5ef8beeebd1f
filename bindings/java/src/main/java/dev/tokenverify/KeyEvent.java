package dev.tokenverify;

/**
 * A change in a provider's key set (file or remote key sets), as delivered to the listener
 * given to {@link Verifier.Builder#onKeyEvent}. Delivered on the verifier's refresher threads,
 * one event at a time per provider; a listener must return quickly, must not close the verifier,
 * and whatever it throws is ignored.
 */
public record KeyEvent(Kind kind, String provider, long generation, long keyCount, int httpStatus, String message) {
  /** tv_event_kind. */
  public enum Kind {
    /** A new key set is being served. */
    KEYS_UPDATED,
    /** A refresh confirmed the current set (304, same document). */
    KEYS_UNCHANGED,
    /** A refresh failed; the last good set (if any) is still served. */
    REFRESH_FAILED,
    /** The last good set outlived maxStale and is no longer served. */
    KEYS_DROPPED,
    /** A kind this package does not know (a newer library). */
    UNKNOWN;

    static Kind of(int kind) {
      return switch (kind) {
        case 1 -> KEYS_UPDATED;
        case 2 -> KEYS_UNCHANGED;
        case 3 -> REFRESH_FAILED;
        case 4 -> KEYS_DROPPED;
        default -> UNKNOWN;
      };
    }
  }
}
