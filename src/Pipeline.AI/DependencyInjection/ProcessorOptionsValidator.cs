using Microsoft.Extensions.Options;

namespace Pipeline.AI.DependencyInjection;

/// <summary>Validates a processor's options for the options system with the processor's own rules, so a failed
/// resolve or <c>ValidateOnStart</c> reports the setting to fix (the message the constructor would throw).</summary>
/// <typeparam name="TOptions">The options type.</typeparam>
internal sealed class ProcessorOptionsValidator<TOptions>(Action<TOptions> validate) : IValidateOptions<TOptions>
    where TOptions : class
{
    public ValidateOptionsResult Validate(string? name, TOptions options)
    {
        ArgumentNullException.ThrowIfNull(options);
        try
        {
            validate(options);
            return ValidateOptionsResult.Success;
        }
        catch (ArgumentException ex)
        {
            return ValidateOptionsResult.Fail(ex.Message);
        }
    }
}
