using Microsoft.Extensions.Options;

namespace Pipeline.HeyGen.Video;

/// <summary>Validates <see cref="HeyGenVideoServiceOptions"/> for the options system with the service's own rules, so
/// <c>ValidateOnStart</c> reports the setting to fix before any pipeline is built.</summary>
internal sealed class HeyGenVideoServiceOptionsValidator : IValidateOptions<HeyGenVideoServiceOptions>
{
    public ValidateOptionsResult Validate(string? name, HeyGenVideoServiceOptions options)
    {
        ArgumentNullException.ThrowIfNull(options);
        try
        {
            options.ValidateForOptions();
            return ValidateOptionsResult.Success;
        }
        catch (ArgumentException ex)
        {
            return ValidateOptionsResult.Fail(ex.Message);
        }
    }
}
