package io.switchboard.sip.trunk;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import gov.nist.javax.sip.message.MessageFactoryImpl;
import java.util.List;
import javax.sip.message.Response;
import org.junit.jupiter.api.Test;

class DigestTest {

    /** RFC 2617 section 3.5: the example's credentials and its response. */
    @Test
    void rfc2617sExampleWithQopAuth() {
        assertEquals("6629fae49393a05397450978507c4ef1", Digest.response("Mufasa", "testrealm@host.com", "Circle Of Life",
                "GET", "/dir/index.html", "dcd98b7102dd2f0e8b11d0f600bfb0c093", "00000001", "0a4f113b", "auth"));
    }

    /** The same without qop (RFC 2069's form): MD5(HA1:nonce:HA2), worked out with Python's hashlib. */
    @Test
    void withoutQop() {
        assertEquals("670fd8c2df070c60b045671b8b24ff02", Digest.response("Mufasa", "testrealm@host.com", "Circle Of Life",
                "GET", "/dir/index.html", "dcd98b7102dd2f0e8b11d0f600bfb0c093", "ignored", "ignored", null));
    }

    /** The server's side, from the stored HA1: RFC 2617's example again, and a REGISTER worked out with Python's hashlib. */
    @Test
    void fromHa1() {
        assertEquals("939e7578ed9e3c518a452acee763bce9", Digest.ha1("Mufasa", "testrealm@host.com", "Circle Of Life"));
        assertEquals("6629fae49393a05397450978507c4ef1", Digest.responseOfHa1("939e7578ed9e3c518a452acee763bce9",
                "GET", "/dir/index.html", "dcd98b7102dd2f0e8b11d0f600bfb0c093", "00000001", "0a4f113b", "auth"));
        String ha1 = Digest.ha1("alice.k3x9qz", "sip.example.com", "correct horse");
        assertEquals("1773996e51703afa4bd399eaf02c00da", ha1);
        assertEquals("fa671b380d80ccb7b1d933fbdac7ac38", Digest.responseOfHa1(ha1, "REGISTER", "sip:sip.example.com", "n0nce",
                "0000002a", "c0ffee", "auth"));
    }

    @Test
    void theNonceCountIsEightHexDigitsAndHashesAreLowerCaseHex() {
        assertEquals("00000001", Digest.nc(1));
        assertEquals("0000001a", Digest.nc(26));
        assertEquals("d41d8cd98f00b204e9800998ecf8427e", Digest.md5(""));
    }

    @Test
    void challengesAreReadFromA401OrA407() throws Exception {
        Response r401 = response("401 Unauthorized", "WWW-Authenticate: Digest realm=\"pbx.test\", nonce=\"abc\", "
                + "opaque=\"xyz\", qop=\"auth,auth-int\", algorithm=MD5, stale=TRUE\r\n"
                + "WWW-Authenticate: Digest realm=\"other\", nonce=\"def\"\r\n");
        List<DigestChallenge> offered = DigestChallenge.of(r401);
        assertEquals(2, offered.size());
        DigestChallenge first = offered.get(0);
        assertFalse(first.proxy());
        assertEquals("pbx.test", first.realm());
        assertEquals("abc", first.nonce());
        assertEquals("xyz", first.opaque());
        assertTrue(first.stale(), "stale=TRUE, case aside");
        assertTrue(first.offersAuth());
        assertNull(first.unsupported());
        assertFalse(offered.get(1).stale());
        assertFalse(offered.get(1).offersAuth(), "no qop");
        assertNull(offered.get(1).unsupported(), "RFC 2069's form is answered");

        DigestChallenge proxy = DigestChallenge.of(response("407 Proxy Authentication Required",
                "Proxy-Authenticate: Digest realm=\"p\", nonce=\"n\", qop=\"auth\"\r\n")).get(0);
        assertTrue(proxy.proxy());
        assertEquals("p", proxy.realm());
    }

    @Test
    void whatCannotBeAnsweredIsNamed() throws Exception {
        assertEquals("algorithm SHA-256", DigestChallenge.of(response("401 Unauthorized",
                "WWW-Authenticate: Digest realm=\"r\", nonce=\"n\", algorithm=SHA-256\r\n")).get(0).unsupported());
        assertEquals("qop auth-int", DigestChallenge.of(response("401 Unauthorized",
                "WWW-Authenticate: Digest realm=\"r\", nonce=\"n\", qop=\"auth-int\"\r\n")).get(0).unsupported());
    }

    static Response response(String status, String headers) throws Exception {
        return new MessageFactoryImpl().createResponse("SIP/2.0 " + status + "\r\n"
                + "Via: SIP/2.0/UDP 127.0.0.1:5060;branch=z9hG4bK1\r\n"
                + "From: <sip:acme@pbx.test>;tag=1\r\nTo: <sip:acme@pbx.test>;tag=2\r\n"
                + "Call-ID: c1\r\nCSeq: 1 REGISTER\r\n" + headers + "Content-Length: 0\r\n\r\n");
    }
}
