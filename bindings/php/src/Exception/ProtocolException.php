<?php

declare(strict_types=1);

namespace Caffesta\Exception;

/** The answer is not the JSON it should be, or is too large. (CAFFESTA_ERR_PROTOCOL) */
class ProtocolException extends StatusException
{
}
