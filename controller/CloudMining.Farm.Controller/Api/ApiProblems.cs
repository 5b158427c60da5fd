using System.Text.Json;
using CloudMining.Farm.Controller.Capacity;
using CloudMining.Farm.Controller.Contracts;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.WebUtilities;

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

    /// <summary>401: no bearer token, or not this controller's.</summary>
    public static ProblemDocument Unauthorized(string detail, string? instance = null) =>
        new(TypeBase + "unauthorized", "Token required", StatusCodes.Status401Unauthorized, detail, instance);

    /// <summary>403: the request comes from a web page of another origin (a browser sent it on someone else's behalf).</summary>
    public static ProblemDocument ForeignOrigin(string detail, string? instance = null) =>
        new(TypeBase + "foreign-origin", "Cross-origin request refused", StatusCodes.Status403Forbidden, detail, instance);

    /// <summary>415: a request that changes something did not declare a JSON body.</summary>
    public static ProblemDocument UnsupportedMediaType(string detail, string? instance = null) =>
        new(TypeBase + "unsupported-media-type", "JSON required", StatusCodes.Status415UnsupportedMediaType, detail, instance);

    /// <summary>400 or 421: the Host header does not name the API's own address (a DNS-rebinding page, or a wrong proxy).</summary>
    public static ProblemDocument WrongHost(int status, string detail, string? instance = null) =>
        new(TypeBase + "wrong-host", "Wrong Host header", status, detail, instance);

    /// <summary>A bare status written by the framework itself (no route, wrong method), made a problem like every other answer.</summary>
    public static ProblemDocument FromStatus(int status, string detail, string? instance = null) =>
        new(TypeBase + "http-" + status.ToString(System.Globalization.CultureInfo.InvariantCulture), ReasonPhrases.GetReasonPhrase(status), status, detail, instance);

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
