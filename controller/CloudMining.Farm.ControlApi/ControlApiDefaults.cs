namespace CloudMining.Farm.ControlApi;

/// <summary>Where the local API listens and where its token lives unless configured otherwise: the controller serves there, farmctl looks there.</summary>
public static class ControlApiDefaults
{
    /// <summary>The API's address when Controller:Api:Url is not set (loopback only).</summary>
    public const string Url = "http://127.0.0.1:8650";

    /// <summary>The token file's name in the controller's state directory.</summary>
    public const string TokenFileName = "api-token";

    /// <summary>The group that may read the token file, and so use farmctl.</summary>
    public const string OperatorsGroup = "farm-operators";
}
