package dev.nbce.worker;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import org.junit.jupiter.api.Test;

class RowLeasesTest {
    private static final long MS = 1_000_000L;

    @Test
    void requestsOfASilentGatewayExpireWithItsLease() {
        RowLeases leases = new RowLeases();
        leases.renew("gw-a", 1000, 0);
        leases.renew("gw-b", 1000, 0);
        assertTrue(leases.claim("a-1", "gw-a"));
        assertTrue(leases.claim("a-2", "gw-a"));
        assertTrue(leases.claim("b-1", "gw-b"));
        leases.renew("gw-b", 1000, 900 * MS);
        assertEquals(List.of(), leases.expire(999 * MS), "within the lease nothing expires");
        List<String> expired = leases.expire(1001 * MS);
        assertEquals(List.of("a-1", "a-2"), expired.stream().sorted().toList(), "gw-a stopped renewing");
        assertEquals("gw-b", leases.ownerOf("b-1"));
        assertEquals(1, leases.gateways());
        assertEquals(List.of("b-1"), leases.expire(1901 * MS));
        assertEquals(0, leases.gateways());
    }

    @Test
    void aCommandRenewsWithTheGatewaysOwnLeaseOrTheDefault() {
        RowLeases leases = new RowLeases();
        leases.renew("gw-a", 1000, 0);
        leases.touch("gw-a", 5000, 500 * MS);
        assertTrue(leases.claim("a-1", "gw-a"));
        assertEquals(List.of(), leases.expire(1400 * MS), "the command renewed the lease");
        assertEquals(List.of("a-1"), leases.expire(1501 * MS), "with the gateway's own length, not the longer default");
        leases.touch("gw-new", 1000, 0);
        assertTrue(leases.claim("n-1", "gw-new"));
        assertEquals(List.of("n-1"), leases.expire(1001 * MS), "a gateway heard only by command gets the default lease");
    }

    @Test
    void anIdHeldForOneGatewayIsRefusedToAnother() {
        RowLeases leases = new RowLeases();
        assertTrue(leases.claim("x", "gw-a"));
        assertTrue(leases.claim("x", "gw-a"), "more rows of the same request from its own gateway");
        assertFalse(leases.claim("x", "gw-b"));
        leases.release("x");
        assertTrue(leases.claim("x", "gw-b"), "a closed request id is free again");
    }

    @Test
    void aGatewayThatLeavesHandsBackItsRequestsAtOnce() {
        RowLeases leases = new RowLeases();
        leases.renew("gw-a", 60_000, 0);
        leases.claim("a-1", "gw-a");
        leases.claim("b-1", "gw-b");
        assertEquals(List.of("a-1"), leases.releaseGateway("gw-a"));
        assertEquals(null, leases.ownerOf("a-1"));
        assertEquals("gw-b", leases.ownerOf("b-1"));
    }
}
