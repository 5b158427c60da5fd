using System.Text.Json;
using CloudMining.Farm.Controller.Capacity;
using CloudMining.Farm.Controller.Contracts;
using Microsoft.AspNetCore.Http;

namespace CloudMining.Farm.Controller.Api;

/// <summary>Turns the typed failures of IControllerOperations (and bad requests) into problem documents with the right status.</summary>
public static class ApiProblems
{
    private const string TypeBase = "urn:cloudmining-farm:problem:";

    /// <summary>400: the request itself is wrong; <paramref name="field"/> names what to fix.</summary>
    public static ProblemDocument Validation(string field, string detail, string? instance = null) =>
        new(TypeBase + "validation", "Invalid request", StatusCodes.Status400BadRequest, detail, instance, Field: field);

    /// <summary>404: no such contract or miner.</summary>
    public static ProblemDocument NotFound(string detail, string? instance = null) =>
        new(TypeBase + "not-found", "Not found", StatusCodes.Status404NotFound, detail, instance);

    /// <summary>Maps an exception from the operations seam; null when it is not one of the documented failures.</summary>
    public static ProblemDocument? FromException(Exception exception, string? instance = null) => exception switch
    {
        ContractValidationException v => Validation(string.IsNullOrEmpty(v.Field) ? "request" : v.Field, v.Message, instance),
        CapacityExceededException c => new ProblemDocument(
            TypeBase + "capacity-exceeded",
            "Capacity exceeded",
            StatusCodes.Status409Conflict,
            c.Message,
            instance,
            UnitsRequested: c.UnitsRequested,
            UnitsFree: c.UnitsFree,
            FreeHs: c.FreeHashrate.HashesPerSecond),
        KeyNotFoundException k => NotFound(k.Message, instance),
        InvalidOperationException i => new ProblemDocument(TypeBase + "conflict", "Conflict with the current state", StatusCodes.Status409Conflict, i.Message, instance),
        JsonException j => Validation(
            string.IsNullOrEmpty(j.Path) || j.Path == "$" ? "body" : j.Path.TrimStart('$', '.'),
            $"the request body is not valid JSON for this endpoint{(string.IsNullOrEmpty(j.Path) ? string.Empty : " at " + j.Path)}: {j.Message}",
            instance),
        _ => null,
    };
}
