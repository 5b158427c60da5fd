namespace CloudMining.Farm.Controller.Pages;

/// <summary>The paths of the controller's web pages, relative to the local API's address.</summary>
public static class PageLinks
{
    /// <summary>The query parameter carrying a page's read-only link token.</summary>
    public const string KeyParameter = "key";

    public static string Proof(string contractId, string token) => $"/proof/{Uri.EscapeDataString(contractId)}?{KeyParameter}={token}";

    public static string Dashboard(string token) => $"/dashboard?{KeyParameter}={token}";
}
