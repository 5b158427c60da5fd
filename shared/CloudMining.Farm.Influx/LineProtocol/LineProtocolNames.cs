namespace CloudMining.Farm.Influx.LineProtocol;

/// <summary>
/// Which names and tag values InfluxDB.Client's <c>PointData</c> writes so that the server reads them back unchanged.
/// The package escapes comma, equals sign and space but not the backslash, and writes a line break as the text
/// <c>\n</c>; so a backslash at the end or before one of <c>, = space " \</c>, or a line break, would come back altered
/// or make the server refuse the whole batch. Check free text with this before it becomes a measurement, tag or field key.
/// </summary>
public static class LineProtocolNames
{
    /// <summary>True when <paramref name="text"/> is non-empty and round-trips as a measurement, tag key, tag value or field key.</summary>
    public static bool CanCarry(string? text)
    {
        if (string.IsNullOrEmpty(text) || text.AsSpan().IndexOfAny('\n', '\r') >= 0)
        {
            return false;
        }

        for (int i = text.IndexOf('\\', StringComparison.Ordinal); i >= 0; i = text.IndexOf('\\', i + 1))
        {
            if (i == text.Length - 1 || text[i + 1] is ',' or '=' or ' ' or '"' or '\\')
            {
                return false;
            }
        }

        return true;
    }
}
