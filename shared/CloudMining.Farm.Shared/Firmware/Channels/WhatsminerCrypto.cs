using System.Globalization;
using System.Security.Cryptography;
using System.Text;

namespace CloudMining.Farm.Shared.Firmware.Channels;

/// <summary>
/// The key and token arithmetic of Whatsminer's privileged APIs, from MicroBT's public API documents (v2.0.x
/// "API ciphertext", v3.0.x "Token Generation"). Both sides use it: the channels and the simulator. Nothing here
/// logs or prints; callers must not either.
/// </summary>
public static class WhatsminerCrypto
{
    /// <summary>
    /// API v2: from the admin password and a <c>get_token</c> answer, the AES-256 key
    /// (SHA-256 of the md5-crypt hash of the password with <c>salt</c>) and the command signature
    /// (the md5-crypt hash of that hash followed by <c>time</c>, with <c>newsalt</c>).
    /// </summary>
    public static (byte[] AesKey, string Sign) DeriveV2(string password, string salt, string newSalt, string time)
    {
        ArgumentNullException.ThrowIfNull(password);
        string key = Md5Crypt.HashPart(password, salt);
        string sign = Md5Crypt.HashPart(key + time, newSalt);
        return (SHA256.HashData(Encoding.ASCII.GetBytes(key)), sign);
    }

    /// <summary>AES-256-ECB of the UTF-8 text padded with NUL bytes to a multiple of 16, in standard base64 (the firmware's padding).</summary>
    public static string EncryptBase64(byte[] aesKey, string plaintext)
    {
        ArgumentNullException.ThrowIfNull(plaintext);
        byte[] data = Encoding.UTF8.GetBytes(plaintext);
        byte[] padded = new byte[(data.Length + 15) / 16 * 16];
        data.CopyTo(padded, 0);
        using var aes = Aes.Create();
        aes.Key = aesKey;
        return Convert.ToBase64String(aes.EncryptEcb(padded, PaddingMode.None));
    }

    /// <summary>Reverses <see cref="EncryptBase64"/>; trailing NUL bytes (and a PKCS#7 tail, which some clients send) are dropped. Null when it is not valid base64 of whole blocks.</summary>
    public static string? DecryptBase64(byte[] aesKey, string base64)
    {
        ArgumentNullException.ThrowIfNull(base64);
        byte[] cipher;
        try
        {
            cipher = Convert.FromBase64String(base64);
        }
        catch (FormatException)
        {
            return null;
        }

        if (cipher.Length == 0 || cipher.Length % 16 != 0)
        {
            return null;
        }

        using var aes = Aes.Create();
        aes.Key = aesKey;
        byte[] plain = aes.DecryptEcb(cipher, PaddingMode.None);
        int end = plain.Length;
        int tail = plain[^1];
        if (tail is > 0 and <= 16 && plain.AsSpan(plain.Length - tail).IndexOfAnyExcept((byte)tail) < 0)
        {
            end -= tail;
        }

        while (end > 0 && plain[end - 1] == 0)
        {
            end--;
        }

        try
        {
            return new UTF8Encoding(false, true).GetString(plain, 0, end);
        }
        catch (DecoderFallbackException)
        {
            return null;
        }
    }

    /// <summary>
    /// API v3: SHA-256 of command + password + salt + timestamp (decimal seconds); the token is the first 8
    /// characters of its base64, and the 32 hash bytes are the AES key of commands whose parameter is encrypted.
    /// </summary>
    public static (string Token, byte[] AesKey) DeriveV3(string command, string password, string salt, long timestamp)
    {
        ArgumentNullException.ThrowIfNull(command);
        ArgumentNullException.ThrowIfNull(password);
        byte[] hash = SHA256.HashData(Encoding.UTF8.GetBytes(command + password + salt + timestamp.ToString(CultureInfo.InvariantCulture)));
        return (Convert.ToBase64String(hash)[..8], hash);
    }
}
