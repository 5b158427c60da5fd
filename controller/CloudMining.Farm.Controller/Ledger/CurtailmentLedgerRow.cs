namespace CloudMining.Farm.Controller.Ledger;

/// <summary>
/// One hour of curtailment of one assignee (a contract id, or "house"): the terahash-hours it did not mine because of
/// curtailment and the kilowatt-hours not drawn, both from the miners' measured hashrate and power against what they
/// drew and hashed before they were curtailed. A closed hour has a row for the house and every contract active in it
/// (0 for a contract that was not curtailed, which every protected contract is). <see cref="CurtailedHours"/> is the
/// part of the hour during which any of the assignee's miners was held curtailed: what a curtailable contract's
/// allowance (hours per period) is counted in (store migration 11).
/// </summary>
public sealed record CurtailmentLedgerRow(string Assignee, DateTimeOffset Hour, double CurtailedTerahashHours, double AvoidedKilowattHours, double CurtailedHours = 0);
