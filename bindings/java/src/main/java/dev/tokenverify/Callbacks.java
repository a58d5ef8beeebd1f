package dev.tokenverify;

import static java.lang.foreign.ValueLayout.ADDRESS;
import static java.lang.foreign.ValueLayout.JAVA_INT;
import static java.lang.foreign.ValueLayout.JAVA_LONG;

import java.lang.foreign.Arena;
import java.lang.foreign.FunctionDescriptor;
import java.lang.foreign.MemorySegment;
import java.lang.invoke.MethodHandle;
import java.lang.invoke.MethodHandles;
import java.lang.invoke.MethodType;
import java.util.function.Consumer;

/**
 * Upcalls for tv_verifier_new_ex2: the validator (called on the thread in tv_authenticate) and
 * the key-set event listener (called on the engine's refresher threads). Nothing may escape an
 * upcall (the JVM would stop), so each catches everything.
 */
final class Callbacks {
  private Callbacks() {}

  private static final MethodHandle VALIDATE;
  private static final MethodHandle EVENT;

  static {
    try {
      MethodHandles.Lookup lookup = MethodHandles.lookup();
      VALIDATE = lookup.findStatic(Callbacks.class, "validate",
          MethodType.methodType(int.class, Validator.class, MemorySegment.class, MemorySegment.class));
      EVENT = lookup.findStatic(Callbacks.class, "event",
          MethodType.methodType(void.class, Consumer.class, MemorySegment.class, MemorySegment.class));
    } catch (ReflectiveOperationException e) {
      throw new ExceptionInInitializerError(e);
    }
  }

  /** sizeof(tv_verifier_options) and its members' offsets. */
  static final long OPTIONS_SIZE = 40;

  /** A tv_validator_fn calling {@code validator}, living as long as {@code arena}. */
  static MemorySegment validatorStub(Validator validator, Arena arena) {
    return Native.LINKER.upcallStub(VALIDATE.bindTo(validator), FunctionDescriptor.of(JAVA_INT, ADDRESS, ADDRESS), arena);
  }

  /** A tv_event_fn calling {@code listener}, living as long as {@code arena}. */
  static MemorySegment eventStub(Consumer<KeyEvent> listener, Arena arena) {
    return Native.LINKER.upcallStub(EVENT.bindTo(listener), FunctionDescriptor.ofVoid(ADDRESS, ADDRESS), arena);
  }

  private static String text(MemorySegment s, long offset) {
    MemorySegment p = s.get(ADDRESS, offset);
    String v = Native.string(p.address(), s.get(JAVA_LONG, offset + 8));
    return v == null ? "" : v;
  }

  // tv_credential: rule, rule_len, method (int32), user, user_len, password, password_len
  private static int validate(Validator validator, MemorySegment userData, MemorySegment credential) {
    try {
      MemorySegment c = credential.reinterpret(56);
      Validator.Credential cred = new Validator.Credential(text(c, 0), AuthMethod.of(c.get(JAVA_INT, 16)),
          text(c, 24), text(c, 40));
      return validator.validate(cred) ? 1 : 0;
    } catch (Throwable t) {
      return 0;  // an exception refuses the credential
    }
  }

  // tv_event: kind (int32), provider, generation, key_count, http_status (int32), message
  @SuppressWarnings("unchecked")
  private static void event(Consumer<?> listener, MemorySegment userData, MemorySegment event) {
    try {
      MemorySegment e = event.reinterpret(48);
      KeyEvent k = new KeyEvent(KeyEvent.Kind.of(e.get(JAVA_INT, 0)), Native.cString(e.get(ADDRESS, 8)),
          e.get(JAVA_LONG, 16), e.get(JAVA_LONG, 24), e.get(JAVA_INT, 32), Native.cString(e.get(ADDRESS, 40)));
      ((Consumer<KeyEvent>) listener).accept(k);
    } catch (Throwable t) {
      // ignored: a listener cannot stop the refresher
    }
  }
}
