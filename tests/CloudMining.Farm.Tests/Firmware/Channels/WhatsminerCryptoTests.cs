using System.Text;
using CloudMining.Farm.Shared.Firmware.Channels;
using CloudMining.Farm.Tests.Infrastructure;
using Xunit;

namespace CloudMining.Farm.Tests.Firmware.Channels;

/// <summary>
/// Whatsminer's key derivation and ciphers checked against vectors computed here by other programs: openssl's
/// md5-crypt (<c>openssl passwd -1</c>) and AES-256-ECB (<c>openssl enc</c>), python3's hashlib — never against our
/// own output.
/// </summary>
public sealed class WhatsminerCryptoTests
{
    [ToolFact("openssl")]
    public void Md5_crypt_matches_openssl_passwd_1()
    {
        foreach ((string password, string salt) in new[]
                 {
                     ("admin", "BQrGUmfs"), ("Farm-Pw-7", "x"), (string.Empty, "abcdefgh"),
                     ("a password longer than sixteen bytes, surely", "QbVy1Ou3"), ("pässwörd", "Zz9./aB1"),
                     ("3Tf7aQ2k9bLp0XcVzY5wEr1tUi8oPa6s", "saltsalt"),
                 })
        {
            string expected = ExternalTool.Run("openssl", ["passwd", "-1", "-salt", salt, "-stdin"], ExternalTool.Utf8(password + "\n"));
            Assert.Equal(expected, Md5Crypt.Crypt(password, salt));
        }

        // Salts longer than 8 characters are cut at 8, as the algorithm says.
        Assert.Equal(ExternalTool.Run("openssl", ["passwd", "-1", "-salt", "12345678", "-stdin"], ExternalTool.Utf8("pw\n")), Md5Crypt.Crypt("pw", "123456789abc"));
    }

    [ToolFact("openssl", "python3")]
    public void Api_v2_key_signature_and_cipher_match_openssl_and_python()
    {
        const string password = "Farm-Pw-7";
        const string salt = "BQrGUmfs", newSalt = "zU4gvW30", time = "1706287567";

        // key = md5-crypt(password, salt) hash part; sign = md5-crypt(key + time, newsalt) hash part; aeskey = SHA-256(key).
        string key = ExternalTool.Run("openssl", ["passwd", "-1", "-salt", salt, "-stdin"], ExternalTool.Utf8(password + "\n")).Split('$')[3];
        string sign = ExternalTool.Run("openssl", ["passwd", "-1", "-salt", newSalt, "-stdin"], ExternalTool.Utf8(key + time + "\n")).Split('$')[3];
        string aesKeyHex = ExternalTool.Python("import hashlib,sys; print(hashlib.sha256(sys.argv[1].encode()).hexdigest())", key);

        (byte[] aesKey, string ourSign) = WhatsminerCrypto.DeriveV2(password, salt, newSalt, time);
        Assert.Equal(sign, ourSign);
        Assert.Equal(aesKeyHex, Convert.ToHexStringLower(aesKey));

        // The command, NUL-padded to 16 bytes, AES-256-ECB, base64 on one line: as openssl computes it.
        string command = "{\"cmd\":\"update_pools\",\"pool1\":\"stratum+tcp://customer.pool.example:3333\",\"worker1\":\"cust.w1\",\"passwd1\":\"x\",\"token\":\"" + sign + "\"}";
        byte[] padded = new byte[(Encoding.UTF8.GetByteCount(command) + 15) / 16 * 16];
        Encoding.UTF8.GetBytes(command).CopyTo(padded, 0);
        string expected = ExternalTool.Run("openssl", ["enc", "-aes-256-ecb", "-K", aesKeyHex, "-nopad", "-base64", "-A"], padded);

        Assert.Equal(expected, WhatsminerCrypto.EncryptBase64(aesKey, command));
        Assert.Equal(command, WhatsminerCrypto.DecryptBase64(aesKey, expected));

        // An answer the firmware encrypted (here: openssl) decrypts too; a wrong key gives no JSON back.
        const string answer = "{\"STATUS\":\"S\",\"When\":1706287567,\"Code\":131,\"Msg\":\"API command OK\",\"Description\":\"\"}";
        byte[] answerPadded = new byte[(answer.Length + 15) / 16 * 16];
        Encoding.ASCII.GetBytes(answer).CopyTo(answerPadded, 0);
        string encrypted = ExternalTool.Run("openssl", ["enc", "-aes-256-ecb", "-K", aesKeyHex, "-nopad", "-base64", "-A"], answerPadded);
        Assert.Equal(answer, WhatsminerCrypto.DecryptBase64(aesKey, encrypted));
        Assert.NotEqual(answer, WhatsminerCrypto.DecryptBase64(WhatsminerCrypto.DeriveV2("wrong", salt, newSalt, time).AesKey, encrypted));
    }

    [ToolFact("openssl", "python3")]
    public void Api_v3_token_and_parameter_cipher_match_python_and_openssl()
    {
        const string command = "set.miner.pools", password = "Farm-Pw-7", salt = "QbVy1Ou3";
        const long ts = 1733400000;

        // token = first 8 characters of base64(SHA-256(command + password + salt + ts)); the 32 bytes are the AES key.
        string[] python = ExternalTool.Python(
            "import hashlib,base64,sys; h=hashlib.sha256((sys.argv[1]+sys.argv[2]+sys.argv[3]+sys.argv[4]).encode()).digest(); print(base64.b64encode(h).decode()[:8], h.hex())",
            command, password, salt, "1733400000").Split(' ');

        (string token, byte[] key) = WhatsminerCrypto.DeriveV3(command, password, salt, ts);
        Assert.Equal(python[0], token);
        Assert.Equal(python[1], Convert.ToHexStringLower(key));

        string pools = "[{\"pool\":\"stratum+tcp://customer.pool.example:3333\",\"worker\":\"cust.w1\",\"passwd\":\"x\"}]";
        byte[] padded = new byte[(pools.Length + 15) / 16 * 16];
        Encoding.ASCII.GetBytes(pools).CopyTo(padded, 0);
        string expected = ExternalTool.Run("openssl", ["enc", "-aes-256-ecb", "-K", python[1], "-nopad", "-base64", "-A"], padded);
        Assert.Equal(expected, WhatsminerCrypto.EncryptBase64(key, pools));

        // A client that pads with PKCS#7 instead (openssl's default) is read as well.
        string pkcs7 = ExternalTool.Run("openssl", ["enc", "-aes-256-ecb", "-K", python[1], "-base64", "-A"], Encoding.ASCII.GetBytes(pools));
        Assert.Equal(pools, WhatsminerCrypto.DecryptBase64(key, pkcs7));
    }
}
