package io.switchboard.calls.rtpengine;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;

import io.switchboard.sdk.calls.MediaRelay;
import java.net.InetSocketAddress;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class RtpengineRelayTest {

    @Test
    void towardsABrowserTheLegIsIceDtlsAndMuxed() {
        Map<String, Object> c = RtpengineRelay.command("offer", "c1", "caller", null, null, "v=0", MediaRelay.Profile.WEBRTC);
        assertEquals("offer", c.get("command"));
        assertEquals("c1", c.get("call-id"));
        assertEquals("caller", c.get("from-tag"));
        assertEquals("UDP/TLS/RTP/SAVPF", c.get("transport-protocol"));
        assertEquals("force", c.get("ICE"));
        assertEquals(List.of("require"), c.get("rtcp-mux"));
        assertEquals(List.of("off"), c.get("SDES"));
    }

    @Test
    void towardsAPbxTheLegIsPlainRtp() {
        Map<String, Object> c = RtpengineRelay.command("answer", "c1", "caller", null, null, "v=0", MediaRelay.Profile.RTP);
        assertEquals("RTP/AVP", c.get("transport-protocol"));
        assertEquals("remove", c.get("ICE"));
        assertEquals(List.of("demux"), c.get("rtcp-mux"));
        assertFalse(c.containsKey("DTLS"));
    }

    @Test
    void anOfferTowardsAPbxKeepsOnlyG711G722AndDtmf() {
        Map<String, Object> offer = RtpengineRelay.command("offer", "c1", "caller", null, null, "v=0", MediaRelay.Profile.RTP);
        List<String> pbxCodecs = List.of("PCMU", "PCMA", "G722", "telephone-event");
        assertEquals(Map.of("strip", List.of("all"), "except", pbxCodecs, "transcode", pbxCodecs), offer.get("codec"));
        assertEquals(List.of("trust-address", "strip-extmap"), offer.get("flags"));
        // An answer carries what the offer left; towards a browser every codec stays.
        assertFalse(RtpengineRelay.command("answer", "c1", "caller", null, null, "v=0", MediaRelay.Profile.RTP).containsKey("codec"));
        assertFalse(RtpengineRelay.command("offer", "c1", "caller", null, null, "v=0", MediaRelay.Profile.WEBRTC).containsKey("codec"));
    }

    @Test
    void theSettingIsHostColonPort() {
        assertEquals(new InetSocketAddress("127.0.0.1", 2223), RtpengineRelayComponent.parse("127.0.0.1:2223"));
        assertEquals(new InetSocketAddress("::1", 2223), RtpengineRelayComponent.parse("[::1]:2223"));
        for (String bad : List.of("127.0.0.1", "127.0.0.1:", ":2223", "host:port", "host:70000", "host:0")) {
            assertThrows(IllegalArgumentException.class, () -> RtpengineRelayComponent.parse(bad), bad);
        }
    }
}
