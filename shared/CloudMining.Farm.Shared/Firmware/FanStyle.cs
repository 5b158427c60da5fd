namespace CloudMining.Farm.Shared.Firmware;

/// <summary>How a firmware lays out its fans in a reply.</summary>
internal enum FanStyle
{
    None,

    /// <summary>Numbered keys in one object: fan1, fan2… (Antminer stats).</summary>
    Indexed,

    /// <summary>One object per fan (BOSminer fans).</summary>
    Rows,

    /// <summary>Named keys, each one fan ("Fan Speed In", "Fan Speed Out").</summary>
    Keys,

    /// <summary>Avalon module strings: Fan1[..] Fan2[..] or Fan[..].</summary>
    Modules,
}
