namespace CloudMining.Farm.Shared.Firmware.Channels;

/// <summary>One pool of a pool list to write, in priority order; <see cref="ToString"/> never shows the password.</summary>
public sealed record PoolEntry(string Url, string User, string Password, int? Quota = null)
{
    public override string ToString() => Quota is { } q ? $"{Url} ({User}) quota {q}" : $"{Url} ({User})";
}
