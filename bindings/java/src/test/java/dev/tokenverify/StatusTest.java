package dev.tokenverify;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.Map;
import org.junit.jupiter.api.Test;

/** The generated status table against status.def and the loaded library. */
class StatusTest {
  private static final Map<StatusClass, Class<? extends TokenVerifyException>> TYPE = Map.of(
      StatusClass.MALFORMED, MalformedTokenException.class,
      StatusClass.HEADER, HeaderException.class,
      StatusClass.SIGNATURE, SignatureException.class,
      StatusClass.CLAIMS, ClaimsException.class,
      StatusClass.KEYS, KeyException.class,
      StatusClass.REQUEST, RequestException.class,
      StatusClass.MISUSE, MisuseException.class);

  @Test
  void everyStatusMapsToATypedException() {
    int checked = 0;
    for (Status s : Status.values()) {
      assertSame(s, Status.fromCode(s.code()));
      // The library names and describes it as the generated table does.
      assertEquals(StatusNames.name(s.code()), s.cName());
      assertEquals(StatusNames.message(s.code()), s.message());
      if (s == Status.OK) {
        assertEquals(StatusClass.OK, s.statusClass());
        continue;
      }
      StatusClass expected = switch (s.code() / 100) {
        case 1 -> StatusClass.MALFORMED;
        case 2 -> StatusClass.HEADER;
        case 3 -> StatusClass.SIGNATURE;
        case 4 -> StatusClass.CLAIMS;
        case 5 -> StatusClass.KEYS;
        case 6 -> StatusClass.REQUEST;
        case 9 -> StatusClass.MISUSE;
        default -> throw new AssertionError("status outside every range: " + s);
      };
      assertEquals(expected, s.statusClass(), s.cName());
      TokenVerifyException e = TokenVerifyException.of(s.code());
      assertEquals(TYPE.get(expected), e.getClass(), s.cName());
      assertEquals(s.code(), e.code());
      assertEquals("TV_" + s.name(), e.name());
      assertEquals(s.cName(), e.name());
      assertEquals(s, e.status());
      assertEquals(expected, e.statusClass());
      assertEquals(s.message(), e.getMessage());
      assertNull(e.field());
      checked++;
    }
    assertTrue(checked > 60, "only " + checked + " statuses");
  }

  @Test
  void theLibraryHasNoStatusTheTableLacks() {
    for (int code = 0; code < 1000; code++) {
      boolean known = !"TV_UNKNOWN_STATUS".equals(StatusNames.name(code));
      assertEquals(known, Status.fromCode(code) != null, "status " + code);
    }
  }

  @Test
  void unknownNumbersStillMakeAnException() {
    TokenVerifyException e = TokenVerifyException.of(777);
    assertEquals(TokenVerifyException.class, e.getClass());
    assertEquals("TV_UNKNOWN_STATUS", e.name());
    assertEquals(StatusClass.UNKNOWN, e.statusClass());
    assertNull(e.status());
    assertNotNull(e.getMessage());
  }
}
