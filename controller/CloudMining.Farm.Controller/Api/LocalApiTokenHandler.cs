using System.Security.Claims;
using System.Text.Encodings.Web;
using Microsoft.AspNetCore.Authentication;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using Microsoft.Net.Http.Headers;

namespace CloudMining.Farm.Controller.Api;

/// <summary>
/// ASP.NET Core authentication for the local API: "Authorization: Bearer TOKEN" must carry the token of
/// <see cref="LocalApiToken"/>; a missing or wrong token is challenged with a 401 problem saying where the token is.
/// </summary>
public sealed class LocalApiTokenHandler : AuthenticationHandler<AuthenticationSchemeOptions>
{
    /// <summary>The scheme name the local API registers this handler under.</summary>
    public const string SchemeName = "FarmApiToken";

    private const string BearerPrefix = "Bearer ";
    private readonly LocalApiToken _token;

    public LocalApiTokenHandler(IOptionsMonitor<AuthenticationSchemeOptions> options, ILoggerFactory logger, UrlEncoder encoder, LocalApiToken token)
        : base(options, logger, encoder)
    {
        _token = token;
    }

    protected override Task<AuthenticateResult> HandleAuthenticateAsync()
    {
        string? header = Request.Headers.Authorization;
        if (string.IsNullOrEmpty(header))
        {
            return Task.FromResult(AuthenticateResult.NoResult());
        }

        if (!header.StartsWith(BearerPrefix, StringComparison.OrdinalIgnoreCase) || !_token.Matches(header[BearerPrefix.Length..]))
        {
            // The presented value is never logged: a near miss could be a real token of another controller.
            return Task.FromResult(AuthenticateResult.Fail("the bearer token is not this controller's"));
        }

        var identity = new ClaimsIdentity([new Claim(ClaimTypes.Name, "operator")], SchemeName);
        return Task.FromResult(AuthenticateResult.Success(new AuthenticationTicket(new ClaimsPrincipal(identity), SchemeName)));
    }

    protected override async Task HandleChallengeAsync(AuthenticationProperties properties)
    {
        bool presented = !string.IsNullOrEmpty(Request.Headers.Authorization);
        string detail = (presented ? "The bearer token is wrong" : "The request carries no bearer token") +
            $"; send \"Authorization: Bearer TOKEN\" with the token from {_token.Path} (farmctl reads it itself; " +
            $"its readers are the controller's user and the {LocalApiToken.OperatorsGroup} group).";
        Response.Headers[HeaderNames.WWWAuthenticate] = "Bearer";
        await LocalApiGuard.WriteProblemAsync(Context, ApiProblems.Unauthorized(detail, Request.Path + Request.QueryString));
    }
}
