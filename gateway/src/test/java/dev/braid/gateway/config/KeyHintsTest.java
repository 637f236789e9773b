package dev.braid.gateway.config;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;

import org.junit.jupiter.api.Test;

class KeyHintsTest {
    @Test
    void spellingVariantsAndSlipsFindTheKey() {
        List<String> known = SiteConfigLoader.SCHEMA.get("");
        assertEquals("allow_oversubscription", KeyHints.nearest("allowOversubscription", known));
        assertEquals("link_pool", KeyHints.nearest("link-pool", known));
        assertEquals("link_pool", KeyHints.nearest("lnik_pool", known));
        assertEquals("workers", KeyHints.nearest("worker", known));
        assertEquals("mtu", KeyHints.nearest("MTU", known));
        assertNull(KeyHints.nearest("colour", known));
        // a short key needs an exact match up to case and separators: "mu" is not "mtu"
        assertNull(KeyHints.nearest("mu", known));
    }

    @Test
    void keysOfOtherSectionsArePointedAt() {
        String hint = KeyHints.hint("base_port", "", SiteConfigLoader.SCHEMA);
        assertEquals("did you mean listen.base_port? it belongs under listen:", hint);
        assertTrue(KeyHints.hint("site", "peer", SiteConfigLoader.SCHEMA).contains("it belongs at the top level"));
    }

    @Test
    void editDistance() {
        assertEquals(0, KeyHints.editDistance("abc", "abc"));
        assertEquals(1, KeyHints.editDistance("abc", "abd"));
        assertEquals(2, KeyHints.editDistance("ab", "ba"));
        assertEquals(3, KeyHints.editDistance("", "abc"));
    }
}
