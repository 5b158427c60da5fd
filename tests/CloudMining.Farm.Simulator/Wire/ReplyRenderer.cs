using System.Globalization;
using System.Text;

namespace CloudMining.Farm.Simulator.Wire;

/// <summary>Writes replies in cgminer's JSON form, its plain-text form, and its joined multi-command form.</summary>
public static class ReplyRenderer
{
    public static string Json(ApiReply reply)
    {
        ArgumentNullException.ThrowIfNull(reply);
        var sb = new StringBuilder(1024);
        AppendJson(sb, reply);
        return sb.ToString();
    }

    /// <summary>cgminer's joined form: {"summary":[{...}],"pools":[{...}],"id":1}.</summary>
    public static string JsonMulti(IReadOnlyList<KeyValuePair<string, ApiReply>> replies)
    {
        ArgumentNullException.ThrowIfNull(replies);
        var sb = new StringBuilder(4096);
        sb.Append('{');
        for (int i = 0; i < replies.Count; i++)
        {
            if (i > 0)
            {
                sb.Append(',');
            }

            sb.Append('"');
            JsonText.AppendEscaped(sb, replies[i].Key);
            sb.Append("\":[");
            AppendJson(sb, replies[i].Value);
            sb.Append(']');
        }

        sb.Append(",\"id\":1}");
        return sb.ToString();
    }

    public static string Plain(ApiReply reply)
    {
        ArgumentNullException.ThrowIfNull(reply);
        if (reply.Action is not null)
        {
            return reply.Action;
        }

        var sb = new StringBuilder(1024);
        sb.Append("STATUS=").Append(reply.Status.Severity)
            .Append(",When=").Append(reply.When.ToString(CultureInfo.InvariantCulture))
            .Append(",Code=").Append(reply.Status.Code.ToString(CultureInfo.InvariantCulture))
            .Append(",Msg=");
        AppendPlainEscaped(sb, reply.Status.Msg);
        sb.Append(",Description=");
        AppendPlainEscaped(sb, reply.Status.Description);
        sb.Append('|');
        foreach (ApiSection section in reply.Sections)
        {
            foreach (ApiObject obj in section.Objects)
            {
                bool first = true;
                if (section.PlainPrefix)
                {
                    sb.Append(section.Name);
                    first = false;
                }

                foreach (KeyValuePair<string, ApiValue> e in obj.Entries)
                {
                    if (!first)
                    {
                        sb.Append(',');
                    }

                    first = false;
                    sb.Append(e.Key).Append('=');
                    AppendPlainEscaped(sb, e.Value.Render());
                }

                sb.Append('|');
            }
        }

        return sb.ToString();
    }

    private static void AppendJson(StringBuilder sb, ApiReply reply)
    {
        if (reply.Action is not null)
        {
            // Newer cgminer answers restart/quit with {"STATUS":"RESTART"} and then goes away.
            sb.Append("{\"STATUS\":\"").Append(reply.Action).Append("\"}");
            return;
        }

        sb.Append("{\"STATUS\":[{\"STATUS\":\"").Append(reply.Status.Severity)
            .Append("\",\"When\":").Append(reply.When.ToString(CultureInfo.InvariantCulture))
            .Append(",\"Code\":").Append(reply.Status.Code.ToString(CultureInfo.InvariantCulture))
            .Append(",\"Msg\":\"");
        JsonText.AppendEscaped(sb, reply.Status.Msg);
        sb.Append("\",\"Description\":\"");
        JsonText.AppendEscaped(sb, reply.Status.Description);
        sb.Append("\"}]");
        foreach (ApiSection section in reply.Sections)
        {
            sb.Append(",\"");
            JsonText.AppendEscaped(sb, section.Name);
            sb.Append("\":[");
            for (int i = 0; i < section.Objects.Count; i++)
            {
                if (i > 0 && !section.MissingCommaQuirk)
                {
                    sb.Append(',');
                }

                AppendObject(sb, section.Objects[i]);
            }

            sb.Append(']');
        }

        sb.Append(",\"id\":1}");
    }

    private static void AppendObject(StringBuilder sb, ApiObject obj)
    {
        sb.Append('{');
        bool first = true;
        foreach (KeyValuePair<string, ApiValue> e in obj.Entries)
        {
            if (!first)
            {
                sb.Append(',');
            }

            first = false;
            sb.Append('"');
            JsonText.AppendEscaped(sb, e.Key);
            sb.Append("\":");
            e.Value.WriteJson(sb);
        }

        sb.Append('}');
    }

    private static void AppendPlainEscaped(StringBuilder sb, string text)
    {
        foreach (char c in text)
        {
            if (c is ',' or '|' or '=' or '\\')
            {
                sb.Append('\\');
            }

            sb.Append(c);
        }
    }
}
