namespace CloudMining.Farm.Shared.Firmware.Channels;

/// <summary>A login for a miner's write channel. <see cref="ToString"/> never shows the password.</summary>
public sealed record MinerCredential(string User, string Password)
{
    public override string ToString() => $"{User} (password {(Password.Length == 0 ? "empty" : "set")})";
}
