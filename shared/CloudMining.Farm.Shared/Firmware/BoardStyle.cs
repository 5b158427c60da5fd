namespace CloudMining.Farm.Shared.Firmware;

/// <summary>How a firmware lays out its hashboards in a reply.</summary>
internal enum BoardStyle
{
    None,

    /// <summary>Numbered keys in one object: chain_rate1, temp2_1… (Antminer stats).</summary>
    Indexed,

    /// <summary>One object per board in a section (cgminer devs, BOSminer temps).</summary>
    Rows,

    /// <summary>Avalon "MM ID" module strings.</summary>
    Modules,
}
