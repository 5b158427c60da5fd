namespace CloudMining.Farm.Controller.Engine;

/// <summary>The site this controller runs (Controller:Site): the racks it hears and the topics it publishes under.</summary>
/// <param name="Id">The site id, as in farm/v1/{site}/….</param>
public sealed record ControllerSite(string Id);
