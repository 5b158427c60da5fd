namespace CloudMining.Farm.Simulator.Wire;

/// <summary>Why a request could not be understood, mapped to cgminer's codes (23 Invalid JSON, 24 Missing JSON 'command').</summary>
public enum ApiRequestError
{
    None,
    InvalidJson,
    MissingCommand,
}
