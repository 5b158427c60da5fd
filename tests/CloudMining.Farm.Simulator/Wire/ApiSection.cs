namespace CloudMining.Farm.Simulator.Wire;

/// <summary>A named array of a reply ("SUMMARY", "POOLS", ...).</summary>
/// <param name="Name">The JSON key of the array.</param>
/// <param name="Objects">Its objects.</param>
/// <param name="PlainPrefix">Whether cgminer's plain-text form writes the section name before each object ("SUMMARY,Elapsed=..") or not ("POOL=0,URL=..").</param>
/// <param name="MissingCommaQuirk">Stock S9 bmminer writes "}{" between STATS objects (invalid JSON); kept because real decoders must survive it.</param>
public sealed record ApiSection(string Name, IReadOnlyList<ApiObject> Objects, bool PlainPrefix, bool MissingCommaQuirk = false);
