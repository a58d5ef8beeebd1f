package dev.tokenverify;

import static java.lang.foreign.ValueLayout.ADDRESS;
import static java.lang.foreign.ValueLayout.JAVA_BYTE;
import static java.lang.foreign.ValueLayout.JAVA_LONG;

import java.lang.foreign.Arena;
import java.lang.foreign.MemoryLayout;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.StructLayout;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Objects;

/**
 * One HTTP request as {@link Verifier#authenticate(Request)} reads it: method, host, the
 * origin-form target (path and query), the header fields as received (repeated names kept, in
 * order) and, for request-signature rules only, the body. Immutable; build with {@link
 * #builder(String, String)}.
 */
public final class Request {
  private final String method;
  private final String host;
  private final String target;
  private final List<Map.Entry<String, String>> headers;
  private final byte[] body;

  private Request(Builder b) {
    this.method = b.method;
    this.host = b.host;
    this.target = b.target;
    this.headers = List.copyOf(b.headers);
    this.body = b.body;
  }

  /** A builder for {@code method} (e.g. "GET") and {@code target} (e.g. "/api/x?y=1"). */
  public static Builder builder(String method, String target) {
    return new Builder(method, target);
  }

  public String method() {
    return method;
  }

  public String host() {
    return host;
  }

  public String target() {
    return target;
  }

  public List<Map.Entry<String, String>> headers() {
    return headers;
  }

  /** Builds a {@link Request}. */
  public static final class Builder {
    private final String method;
    private final String target;
    private String host = "";
    private final List<Map.Entry<String, String>> headers = new ArrayList<>();
    private byte[] body;

    private Builder(String method, String target) {
      this.method = Objects.requireNonNull(method, "method");
      this.target = Objects.requireNonNull(target, "target");
    }

    /** The Host (or :authority); empty by default. */
    public Builder host(String host) {
      this.host = Objects.requireNonNull(host, "host");
      return this;
    }

    /** Adds one header field (a repeated name is kept, in order). */
    public Builder header(String name, String value) {
      headers.add(Map.entry(name, value));
      return this;
    }

    /** The body, read only by request-signature (HMAC) rules. */
    public Builder body(byte[] body) {
      this.body = body == null ? null : body.clone();
      return this;
    }

    /** {@link #body(byte[])} with the UTF-8 bytes of {@code body}. */
    public Builder body(String body) {
      this.body = body == null ? null : body.getBytes(StandardCharsets.UTF_8);
      return this;
    }

    public Request build() {
      return new Request(this);
    }
  }

  // tv_header and tv_request, as in tokenverify.h.
  static final StructLayout HEADER = MemoryLayout.structLayout(
      ADDRESS.withName("name"), JAVA_LONG.withName("name_len"), ADDRESS.withName("value"), JAVA_LONG.withName("value_len"));
  static final StructLayout REQUEST = MemoryLayout.structLayout(
      ADDRESS.withName("method"), JAVA_LONG.withName("method_len"),
      ADDRESS.withName("host"), JAVA_LONG.withName("host_len"),
      ADDRESS.withName("target"), JAVA_LONG.withName("target_len"),
      ADDRESS.withName("headers"), JAVA_LONG.withName("header_count"),
      ADDRESS.withName("body"), JAVA_LONG.withName("body_len"));

  private static void put(Arena arena, MemorySegment struct, long offset, byte[] bytes) {
    MemorySegment p = MemorySegment.NULL;
    if (bytes != null) {
      p = arena.allocate(Math.max(1, bytes.length));
      MemorySegment.copy(bytes, 0, p, JAVA_BYTE, 0, bytes.length);
    }
    struct.set(ADDRESS, offset, p);
    struct.set(JAVA_LONG, offset + 8, bytes == null ? 0 : bytes.length);
  }

  private static byte[] utf8(String s) {
    return s.getBytes(StandardCharsets.UTF_8);
  }

  /** The tv_request, allocated in {@code arena} (which outlives the call). */
  MemorySegment toNative(Arena arena) {
    MemorySegment r = arena.allocate(REQUEST);
    put(arena, r, 0, utf8(method));
    put(arena, r, 16, utf8(host));
    put(arena, r, 32, utf8(target));
    MemorySegment hs = headers.isEmpty() ? MemorySegment.NULL : arena.allocate(HEADER, headers.size());
    for (int i = 0; i < headers.size(); i++) {
      MemorySegment h = hs.asSlice(i * HEADER.byteSize(), HEADER.byteSize());
      put(arena, h, 0, utf8(headers.get(i).getKey()));
      put(arena, h, 16, utf8(headers.get(i).getValue()));
    }
    r.set(ADDRESS, 48, hs);
    r.set(JAVA_LONG, 56, headers.size());
    put(arena, r, 64, body);
    return r;
  }
}
