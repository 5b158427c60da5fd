namespace CloudMining.Farm.Simulator.Wire;

/// <summary>A parsed API request: one or more commands ("summary+pools"), their shared parameter, and which form the client used.</summary>
/// <param name="Commands">Command names in request order, lower-cased as cgminer compares them.</param>
/// <param name="Parameter">The parameter text, or null when none was given.</param>
/// <param name="IsJson">True when the request was JSON, so the reply is JSON; false for the plain "cmd|param" form.</param>
/// <param name="Error">Set when the request could not be understood; the reply is then cgminer's error for it.</param>
public sealed record ApiRequest(IReadOnlyList<string> Commands, string? Parameter, bool IsJson, ApiRequestError Error = ApiRequestError.None)
{
    public bool IsMulti => Commands.Count > 1;
}
