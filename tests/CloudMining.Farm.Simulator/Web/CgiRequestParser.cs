using System.Globalization;
using System.Text;

namespace CloudMining.Farm.Simulator.Web;

/// <summary>Reads an HTTP/1.1 request from bytes: request line, headers, a Content-Length body. Pure; the listener feeds it.</summary>
public static class CgiRequestParser
{
    private static readonly byte[] HeaderEnd = "\r\n\r\n"u8.ToArray();

    /// <summary>Whether the bytes hold a whole request (headers and the body Content-Length announces).</summary>
    public static bool IsComplete(ReadOnlySpan<byte> data)
    {
        int end = data.IndexOf(HeaderEnd);
        if (end < 0)
        {
            return false;
        }

        return data.Length >= end + HeaderEnd.Length + ContentLength(Encoding.ASCII.GetString(data[..end]));
    }

    /// <summary>The request, or null when the bytes are not HTTP.</summary>
    public static CgiRequest? Parse(ReadOnlySpan<byte> data)
    {
        int end = data.IndexOf(HeaderEnd);
        if (end < 0)
        {
            return null;
        }

        string head = Encoding.ASCII.GetString(data[..end]);
        string[] lines = head.Split("\r\n");
        string[] first = lines[0].Split(' ');
        if (first.Length != 3 || !first[2].StartsWith("HTTP/", StringComparison.Ordinal))
        {
            return null;
        }

        var headers = new Dictionary<string, string>(StringComparer.Ordinal);
        foreach (string line in lines.Skip(1))
        {
            int colon = line.IndexOf(':', StringComparison.Ordinal);
            if (colon > 0)
            {
                headers[line[..colon].Trim().ToLowerInvariant()] = line[(colon + 1)..].Trim();
            }
        }

        int length = Math.Min(ContentLength(head), data.Length - end - HeaderEnd.Length);
        string body = Encoding.UTF8.GetString(data.Slice(end + HeaderEnd.Length, Math.Max(0, length)));
        return new CgiRequest(first[0], first[1], headers, body);
    }

    private static int ContentLength(string head)
    {
        foreach (string line in head.Split("\r\n"))
        {
            if (line.StartsWith("content-length:", StringComparison.OrdinalIgnoreCase) &&
                int.TryParse(line.AsSpan(15).Trim(), NumberStyles.None, CultureInfo.InvariantCulture, out int n))
            {
                return n;
            }
        }

        return 0;
    }
}
