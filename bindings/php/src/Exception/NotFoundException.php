<?php

declare(strict_types=1);

namespace Caffesta\Exception;

/** HTTP 404. (CAFFESTA_ERR_NOT_FOUND) */
class NotFoundException extends StatusException
{
}
