using System.Globalization;
using System.Text;

namespace CloudMining.Farm.Simulator.Web;

/// <summary>One HTTP/1.1 answer of the simulated web server; always <c>Connection: close</c>, like lighttpd's CGI answers to one-shot clients.</summary>
public sealed record CgiResponse(int Status, string Reason, string ContentType, string Body)
{
    public string? WwwAuthenticate { get; init; }

    public static CgiResponse Json(string body) => new(200, "OK", "application/json", body);

    public byte[] Render()
    {
        byte[] body = Encoding.UTF8.GetBytes(Body);
        var head = new StringBuilder()
            .Append(CultureInfo.InvariantCulture, $"HTTP/1.1 {Status} {Reason}\r\n")
            .Append(CultureInfo.InvariantCulture, $"Content-Type: {ContentType}\r\n")
            .Append(CultureInfo.InvariantCulture, $"Content-Length: {body.Length}\r\n")
            .Append("Connection: close\r\n")
            .Append("Server: lighttpd/1.4.32\r\n");
        if (WwwAuthenticate is not null)
        {
            head.Append(CultureInfo.InvariantCulture, $"WWW-Authenticate: {WwwAuthenticate}\r\n");
        }

        head.Append("\r\n");
        byte[] headBytes = Encoding.ASCII.GetBytes(head.ToString());
        return [.. headBytes, .. body];
    }
}
